/** What a secret value becomes in the audit log. */
export const SECRET_SET = '[secret]';
/** What a secret value becomes when the change replaced it. */
export const SECRET_CHANGED = '[secret changed]';

// Keys whose values are secrets or point at one (`password: { env: ... }` included).
const SECRET_KEY = /(password|passphrase|secret|token|private_?key|api_?key)$|^key$|^identity$/i;

/**
 * A change's before/after with every secret replaced: the log keeps that a secret was set or
 * changed, never its value nor where it is read from. A stored credential is named by
 * `{ credential: NAME }` and keeps its name (names are not secret).
 *
 * @example
 *   redactChange({ password: 'a' }, { password: 'b' }) // { before: {password:'[secret]'}, after: {password:'[secret changed]'} }
 */
export function redactChange(before: unknown, after: unknown): { before: unknown; after: unknown } {
  return { before: redact(before, undefined, false), after: redact(after, before, true) };
}

function redact(value: unknown, other: unknown, markChanges: boolean, depth = 0): unknown {
  if (depth > 32) return '[too deep]';
  if (Array.isArray(value))
    return value.map((item, i) => redact(item, at(other, i), markChanges, depth + 1));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const previous = at(other, key);
    out[key] = SECRET_KEY.test(key)
      ? secretValue(item, previous, markChanges)
      : redact(item, previous, markChanges, depth + 1);
  }
  return out;
}

function secretValue(value: unknown, previous: unknown, markChanges: boolean): unknown {
  if (value === null || value === undefined) return value;
  if (isObject(value) && Object.keys(value).length === 1 && typeof value['credential'] === 'string')
    return { credential: value['credential'] };
  const changed = markChanges && JSON.stringify(value) !== JSON.stringify(previous);
  return changed && previous !== undefined ? SECRET_CHANGED : SECRET_SET;
}

function at(value: unknown, key: string | number): unknown {
  if (Array.isArray(value) && typeof key === 'number') return value[key];
  if (isObject(value) && typeof key === 'string') return value[key];
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
