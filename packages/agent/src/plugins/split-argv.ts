/**
 * Splits a plugin's `command` into argv the way a POSIX shell splits words (Python's
 * `shlex.split`, which Vogeler used), without running a shell: no variables, globs, `~`,
 * pipes or redirections. Single quotes keep everything literally; inside double quotes a
 * backslash escapes only `"` and `\`; outside quotes it escapes any character.
 *
 * Shell operators written without quotes (`|`, `>`, `&&`, ...) are reported, since without a
 * shell they would reach the program as plain arguments; wrap such commands in `sh -c '...'`.
 *
 * @example
 *   splitArgv(`facter -y`);                      // { ok: true, argv: ['facter', '-y'], operators: [] }
 *   splitArgv(`sh -c 'ps -ef | grep "a b"'`);    // argv ['sh', '-c', 'ps -ef | grep "a b"']
 *   splitArgv(`echo "open`);                     // { ok: false, reason: 'unbalanced double quote' }
 */
export type SplitOutcome =
  { ok: true; argv: string[]; operators: string[] } | { ok: false; reason: string };

const SHELL_OPERATORS = new Set([
  '|',
  '||',
  '&',
  '&&',
  ';',
  ';;',
  '<',
  '>',
  '>>',
  '2>',
  '2>&1',
  '<<',
  '$(',
  '`',
]);

export function splitArgv(command: string): SplitOutcome {
  const argv: string[] = [];
  const operators: string[] = [];
  let word = '';
  let inWord = false;
  let literal = true; // the word had no quotes or escapes, so it could be a shell operator
  let quote: "'" | '"' | undefined;

  const endWord = (): void => {
    if (!inWord) return;
    if (literal && (SHELL_OPERATORS.has(word) || word.startsWith('$('))) operators.push(word);
    argv.push(word);
    word = '';
    inWord = false;
    literal = true;
  };

  for (let i = 0; i < command.length; i++) {
    const char = command.charAt(i);
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && (command[i + 1] === '"' || command[i + 1] === '\\'))
        word += command[++i];
      else word += char;
    } else if (/\s/.test(char)) {
      endWord();
    } else {
      inWord = true;
      if (char === "'" || char === '"') {
        quote = char;
        literal = false;
      } else if (char === '\\') {
        if (i + 1 >= command.length) return { ok: false, reason: 'a backslash ends the command' };
        word += command[++i];
        literal = false;
      } else {
        word += char;
      }
    }
  }
  if (quote)
    return { ok: false, reason: `unbalanced ${quote === "'" ? 'single' : 'double'} quote` };
  endWord();
  return { ok: true, argv, operators };
}
