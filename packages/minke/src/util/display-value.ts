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
