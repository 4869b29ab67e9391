import { styleText } from 'node:util';

export interface Out {
  line(text?: string): void;
  json(value: unknown): void;
  table(headers: string[], rows: (string | number | boolean | null | undefined)[][]): void;
  readonly color: boolean;
}

/** Writes to stdout; colours only on a terminal and never when NO_COLOR is set. */
export function stdoutOut(stream: NodeJS.WriteStream = process.stdout): Out {
  const color = Boolean(stream.isTTY) && !process.env['NO_COLOR'];
  return {
    color,
    line: (text = '') => void stream.write(`${text}\n`),
    json: (value) => void stream.write(`${JSON.stringify(value, null, 2)}\n`),
    table(headers, rows) {
      const cells = rows.map((row) =>
        row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))),
      );
      const widths = headers.map((h, i) =>
        Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)),
      );
      const render = (row: string[]) =>
        row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd();
      const head = render(headers);
      stream.write(`${color ? styleText('bold', head) : head}\n`);
      for (const row of cells) stream.write(`${render(row)}\n`);
    },
  };
}

export { displayValue } from '../util/display-value.js';
