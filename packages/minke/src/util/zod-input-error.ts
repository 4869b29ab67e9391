import type { z } from 'zod';
import { InputError } from '../errors.js';

/** A zod error as an `InputError`: a one-line message and `fields` (path → reason). */
export function inputErrorOf(error: z.ZodError, part: string): InputError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[key] = 'not a known field';
    } else {
      fields[issue.path.map(String).join('.') || `(${part})`] = issue.message;
    }
  }
  const summary = Object.entries(fields)
    .map(([field, reason]) => `${field}: ${reason}`)
    .join('; ');
  return new InputError(`invalid ${part}: ${summary}`, { fields });
}
