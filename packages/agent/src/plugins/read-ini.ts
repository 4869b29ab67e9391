/**
 * Reads INI text the way Python's ConfigParser read Vogeler's plugin files, so those files keep
 * their meaning:
 *
 * - `[section]` headers; `key = value` or `key: value` (the first `=` or `:` splits); keys are
 *   lower-cased, values trimmed;
 * - whole-line comments start with `#` or `;`; an inline comment is ` ;` after white space
 *   (so `command = a;b` keeps its `;` and `#` never starts an inline comment);
 * - an indented line continues the previous value (joined with a newline);
 * - a `[DEFAULT]` section supplies values to every other section;
 * - `%%` is a literal `%` and `%(key)s` the value of another key (SafeConfigParser interpolation);
 * - a section that appears twice is merged, a key that appears twice keeps its last value.
 *
 * Unlike ConfigParser's silent acceptance of some odd input, anything that is not one of these
 * forms is an error naming the line. We read the files ourselves instead of with the `ini`
 * package because that one accepts any line (so "does not parse" could not be reported), cuts
 * values at any `;` or `#` (`command = echo a;b` would run `echo a`), unquotes values and nests
 * dotted section names, all of which would change what a Vogeler plugin runs.
 */
export type IniOutcome =
  | {
      ok: true;
      sections: Map<string, Map<string, string>>;
      /** Per section, the keys that `%(key)s` referred to (helper values, not settings). */
      referenced: Map<string, Set<string>>;
      /**
       * Where each section and key was written (1-based line numbers), so that reasons can point
       * at a line instead of quoting it: a reason never repeats what the file says.
       */
      lines: Map<string, SectionLines>;
    }
  | { ok: false; reason: string };

/** The line of a section's header and of each of its keys (inherited ones: their [DEFAULT] line). */
export interface SectionLines {
  header: number;
  keys: Map<string, number>;
}

const SECTION = /^\[([^\]]+)\]\s*(?:[#;].*)?$/;
const OPTION = /^([^:=\s][^:=]*?)\s*[:=]\s?(.*)$/;

export function readIni(text: string): IniOutcome {
  const raw = new Map<string, Map<string, string>>();
  const lineOf = new Map<string, SectionLines>();
  let section: Map<string, string> | undefined;
  let sectionLines: SectionLines | undefined;
  let lastKey: string | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);

  for (const [index, line] of lines.entries()) {
    const where = `line ${index + 1}`;
    if (line.trim() === '' || /^[#;]/.test(line) || /^rem(\s|$)/i.test(line)) continue;
    if (/^\s/.test(line)) {
      if (!section || lastKey === undefined)
        return { ok: false, reason: `${where}: indented line continues nothing` };
      section.set(lastKey, `${section.get(lastKey) ?? ''}\n${line.trim()}`);
      continue;
    }
    const header = SECTION.exec(line);
    if (header) {
      const name = (header[1] ?? '').trim();
      section = raw.get(name) ?? new Map<string, string>();
      raw.set(name, section);
      sectionLines = lineOf.get(name) ?? { header: index + 1, keys: new Map() };
      lineOf.set(name, sectionLines);
      lastKey = undefined;
      continue;
    }
    const option = OPTION.exec(line);
    if (!option)
      return {
        ok: false,
        reason: `${where}: expected "[section]" or "key = value"`,
      };
    if (!section || !sectionLines)
      return { ok: false, reason: `${where}: a key comes before any [section] header` };
    lastKey = (option[1] ?? '').trim().toLowerCase();
    section.set(lastKey, stripInlineComment(option[2] ?? ''));
    sectionLines.keys.set(lastKey, index + 1);
  }
  return interpolateAll(raw, lineOf);
}

function stripInlineComment(value: string): string {
  const match = /\s;/.exec(value);
  return (match ? value.slice(0, match.index) : value).trim();
}

function interpolateAll(
  raw: Map<string, Map<string, string>>,
  lineOf: Map<string, SectionLines>,
): IniOutcome {
  const defaults = raw.get('DEFAULT') ?? new Map<string, string>();
  const defaultLines = lineOf.get('DEFAULT')?.keys ?? new Map<string, number>();
  const sections = new Map<string, Map<string, string>>();
  const referenced = new Map<string, Set<string>>();
  const lines = new Map<string, SectionLines>();
  for (const [name, own] of raw) {
    if (name === 'DEFAULT') continue;
    const merged = new Map([...defaults, ...own]);
    const ownLines = lineOf.get(name) as SectionLines;
    const keyLines = new Map([...defaultLines, ...ownLines.keys]);
    const resolved = new Map<string, string>();
    const used = new Set<string>();
    for (const [key, value] of merged) {
      const outcome = interpolate(value, merged, used, 0);
      if (!outcome.ok)
        return { ok: false, reason: `line ${keyLines.get(key) ?? '?'}: ${outcome.reason}` };
      resolved.set(key, outcome.value);
    }
    sections.set(name, resolved);
    referenced.set(name, used);
    lines.set(name, { header: ownLines.header, keys: keyLines });
  }
  // A [DEFAULT] key that some section refers to is a helper in every section that inherits it.
  const sharedHelpers = [...defaults.keys()].filter((key) =>
    [...referenced.values()].some((used) => used.has(key)),
  );
  for (const used of referenced.values()) sharedHelpers.forEach((key) => used.add(key));
  return { ok: true, sections, referenced, lines };
}

type Interpolated = { ok: true; value: string } | { ok: false; reason: string };

function interpolate(
  value: string,
  values: Map<string, string>,
  used: Set<string>,
  depth: number,
): Interpolated {
  if (depth > 10)
    return { ok: false, reason: 'interpolation nests too deeply (a key refers to itself?)' };
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const char = value.charAt(i);
    if (char !== '%') {
      out += char;
      continue;
    }
    if (value[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    const reference = /^%\(([^)]+)\)s/.exec(value.slice(i));
    if (!reference)
      return {
        ok: false,
        reason: `'%' must be followed by '%' or '(key)s'; write %% for a literal %`,
      };
    const key = (reference[1] ?? '').toLowerCase();
    const referenced = values.get(key);
    if (referenced === undefined)
      return { ok: false, reason: 'a %(key)s refers to a key that is not set' };
    used.add(key);
    const inner = interpolate(referenced, values, used, depth + 1);
    if (!inner.ok) return inner;
    out += inner.value;
    i += reference[0].length - 1;
  }
  return { ok: true, value: out };
}
