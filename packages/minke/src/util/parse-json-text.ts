/** JSON stored as text, parsed; text that is not JSON (or a value already parsed) as it is. */
export function parseJsonText(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
