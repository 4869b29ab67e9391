import { InputError } from '../errors.js';

const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Host names are DNS-safe: dot-separated labels of letters, digits and inner hyphens, at most 253
 * characters. `web-1.example.com` is fine (the original minke refused the dots).
 */
export function checkHostName(name: string): string {
  const trimmed = name.trim();
  const reason =
    trimmed === ''
      ? 'it is empty'
      : trimmed.length > 253
        ? 'it is longer than 253 characters'
        : !trimmed.split('.').every((part) => label.test(part))
          ? 'use letters, digits, hyphens and dots (like web-1.example.com); no spaces, underscores or leading/trailing hyphens'
          : undefined;
  if (reason)
    throw new InputError(`invalid host name "${name}": ${reason}`, { fields: { name: reason } });
  return trimmed;
}
