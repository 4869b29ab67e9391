import type { FieldMeta } from '@minke/contract';

/**
 * Builds `where` expressions (the server's filter language, docs: README "Queries") from filter
 * values. Values are always written as literals, quoted and escaped, so user input stays data.
 */
export type Literal = string | number | boolean | null;

export function quote(value: Literal): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
  if (typeof value === 'boolean') return String(value);
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Field paths reach this far: letters, digits, `_`, dots (and `-` inside fact keys). */
export function isPath(path: string): boolean {
  return /^[A-Za-z_]\w*(\.[\w-]+)*$/.test(path);
}

/** Joins expressions with `and`, each in parentheses; empty ones are left out. */
export function and(...parts: (string | undefined)[]): string | undefined {
  const kept = parts.filter((p): p is string => !!p && p.trim() !== '');
  if (kept.length === 0) return undefined;
  if (kept.length === 1) return kept[0];
  return kept.map((p) => `(${p})`).join(' and ');
}

const SUFFIXES = {
  _gte: '>=',
  _lte: '<=',
  _gt: '>',
  _lt: '<',
  _ne: '!=',
  _contains: '~',
  _startswith: '^=',
} as const;

/**
 * One filter value as a condition, by the field's kind: text contains (any case), numbers, enums,
 * refs and booleans equal, a list means `in`, `field_gte` and friends compare.
 */
export function condition(
  key: string,
  value: unknown,
  fields: readonly FieldMeta[] = [],
): string | undefined {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
    return undefined;
  let path = key;
  let op: string | undefined;
  for (const [suffix, sign] of Object.entries(SUFFIXES)) {
    if (key.endsWith(suffix) && key.length > suffix.length) {
      path = key.slice(0, -suffix.length);
      op = sign;
      break;
    }
  }
  if (!isPath(path)) return undefined;
  const field = fields.find((f) => f.name === path.split('.')[0]);
  if (field?.kind === 'groups' && path === field.name) path = `${path}.name`;
  if (value === null) return `${path} is ${op === '!=' ? 'not ' : ''}null`;
  const literal = (v: unknown) => quote(toLiteral(v, field?.kind));
  if (Array.isArray(value)) return `${path} in (${value.map(literal).join(', ')})`;
  if (!op) op = field?.kind === 'text' || field?.kind === 'json' ? '~' : '=';
  return `${path} ${op} ${literal(value)}`;
}

function toLiteral(value: unknown, kind: FieldMeta['kind'] | undefined): Literal {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if ((kind === 'int' || kind === 'float' || kind === 'ref') && /^-?\d+(\.\d+)?$/.test(text))
    return Number(text);
  if (kind === 'bool' && /^(true|false)$/.test(text)) return text === 'true';
  return text;
}
