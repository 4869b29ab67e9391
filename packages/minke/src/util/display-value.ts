/** A value as one line of text: objects as JSON, nothing for empty. */
export function displayValue(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return '';
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      return value === null ? '' : (JSON.stringify(value) ?? '');
  }
}

/** A value in a change line: lists joined by commas, mappings as JSON, nothing as `-`. */
export function shownValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.join(',');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value === null || value === undefined || value === '' ? '-' : displayValue(value);
}
