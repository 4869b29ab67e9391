import { SessionError } from '../errors.js';
import { shellQuote } from '../util/shell-quote.js';

/**
 * Fills `{field}` placeholders of a command from the form data first, then the object, and
 * shell-quotes every value, so no value can add a word or a command. `{{` and `}}` are literal
 * braces. An unknown placeholder is an error for the session, never passed through silently.
 *
 * @example
 *   formatCommand('drush --root={root} cc {cache}', { cache: 'all' }, { root: '/var/www/my site' })
 *   // => "drush --root='/var/www/my site' cc all"
 */
export function formatCommand(
  template: string,
  data: Readonly<Record<string, unknown>>,
  obj: Readonly<Record<string, unknown>>,
): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i] as string;
    if (ch === '{' && template[i + 1] === '{') {
      out += '{';
      i += 2;
    } else if (ch === '}' && template[i + 1] === '}') {
      out += '}';
      i += 2;
    } else if (ch === '{') {
      const end = template.indexOf('}', i);
      if (end === -1)
        throw templateError(template, 'a "{" is never closed (write {{ for a literal brace)');
      const name = template.slice(i + 1, end).trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw templateError(
          template,
          `"{${name}}" is not a placeholder: use {field_name}, or {{ for a literal brace`,
        );
      }
      out += quoteValue(lookup(name, data, obj, template));
      i = end + 1;
    } else if (ch === '}') {
      throw templateError(template, 'a lone "}" (write }} for a literal brace)');
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function lookup(
  name: string,
  data: Readonly<Record<string, unknown>>,
  obj: Readonly<Record<string, unknown>>,
  template: string,
): unknown {
  if (Object.hasOwn(data, name)) return data[name];
  if (Object.hasOwn(obj, name)) return obj[name];
  throw templateError(
    template,
    `unknown placeholder {${name}}: it is neither a form field nor a field of the object`,
  );
}

function quoteValue(value: unknown): string {
  if (value === null || value === undefined) return "''";
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return shellQuote(value);
  return shellQuote(JSON.stringify(value));
}

function templateError(template: string, reason: string): SessionError {
  return new SessionError(`cannot build the command "${template}": ${reason}`);
}
