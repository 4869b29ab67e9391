import { InputError } from '../errors.js';

/** A CSV data row: its cells by header name, and the line it starts on (for messages). */
export interface CsvRow {
  line: number;
  cells: Record<string, string>;
}

/**
 * Reads CSV with a header row (RFC 4180: `,` between cells, `"` around cells holding commas,
 * quotes or line breaks, `""` for a quote). Blank lines are skipped. A malformed row is an
 * InputError naming its line and column.
 *
 * @example parseCsv('name,hostname\nweb-1,10.0.0.1\n') // [{ line: 2, cells: { name: 'web-1', ... } }]
 */
export function parseCsv(text: string): CsvRow[] {
  const records = splitRecords(text.replace(/^\uFEFF/, ''));
  const header = records.shift();
  if (!header) throw new InputError('CSV: no header row');
  const names = header.cells.map((cell) => cell.trim());
  const blank = names.findIndex((name) => name === '');
  if (blank >= 0)
    throw new InputError(`CSV line ${header.line}: column ${blank + 1} of the header is empty`);
  return records.map((record) => {
    if (record.cells.length !== names.length)
      throw new InputError(
        `CSV line ${record.line}: ${record.cells.length} cell(s), the header has ${names.length}`,
      );
    const cells: Record<string, string> = {};
    names.forEach((name, index) => (cells[name] = (record.cells[index] ?? '').trim()));
    return { line: record.line, cells };
  });
}

/** Splits the text into records of raw cells, each with the line it starts on. */
function splitRecords(text: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let column = 1;
  let start = 1;
  let cellStarted = false;
  const endRecord = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) records.push({ line: start, cells });
    cells = [];
    cell = '';
    cellStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
        column++;
      } else if (char === '"') {
        quoted = false;
        const next = text[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
          throw new InputError(
            `CSV line ${line}, column ${column + 1}: text after a closing quote (write "" for a quote inside a quoted cell)`,
          );
      } else {
        cell += char;
        if (char === '\n') {
          line++;
          column = 0;
        }
      }
    } else if (char === '"') {
      if (cellStarted && cell.trim() !== '')
        throw new InputError(
          `CSV line ${line}, column ${column}: a quote inside an unquoted cell (quote the whole cell)`,
        );
      quoted = true;
      cellStarted = true;
    } else if (char === ',') {
      cells.push(cell);
      cell = '';
      cellStarted = false;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      column = 0;
      start = line;
    } else {
      cell += char;
      cellStarted = true;
    }
    column++;
  }
  if (quoted) throw new InputError(`CSV line ${start}: a quoted cell is never closed`);
  endRecord();
  return records;
}
