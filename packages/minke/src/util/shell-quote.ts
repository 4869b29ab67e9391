/**
 * Quotes one value for a POSIX shell (sh, dash, bash, zsh) so that it arrives as exactly one word,
 * byte for byte. Everything is wrapped in single quotes, inside which a shell expands nothing; a
 * single quote itself is written as `'\''` (close, escaped quote, reopen). Command templates use it
 * for every value that comes from a form or an object.
 *
 * @example
 *   `rm -- ${shellQuote(fileName)}`            // fileName "a b; rm -rf /" stays one harmless word
 *   shellQuote("it's")                          // => 'it'\''s'
 *   shellQuote('')                              // => ''
 */
export function shellQuote(value: string | number | boolean): string {
  const text = String(value);
  if (text === '') return "''";
  // Words made only of these characters mean the same quoted or not, so they stay readable in
  // stored command records. `=` is left out on purpose: `A=b` as a first word is an assignment.
  if (/^[A-Za-z0-9_@%+:,./-]+$/.test(text)) return text;
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Quotes each value and joins them with spaces: `shellJoin(['ls', '-l', dir])`. */
export function shellJoin(values: ReadonlyArray<string | number | boolean>): string {
  return values.map(shellQuote).join(' ');
}
