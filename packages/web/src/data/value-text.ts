/** A value as one line of text: a string as it is, anything else as JSON. */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

/**
 * `text` cut to at most `max` characters, the last of them an ellipsis, when it is longer: for a
 * cell or an axis label whose whole value is a click or a tooltip away.
 */
export function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * A value as the text a form's text box edits: a string as it is, anything else as indented
 * JSON, nothing as an empty box.
 */
export function formText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}
