import { z } from 'zod';

/**
 * `q`, as the web admin's autocomplete inputs send it (react-admin's default filter): a part of
 * the name to look for, any case. Small admin lists are filtered after they are read whole.
 */
export const nameSearch = {
  q: z.string().optional().describe('part of the name, any case'),
};

/** The items whose name contains `q` (every item when `q` is absent or blank). */
export function matchingName<T>(
  items: readonly T[],
  q: string | undefined,
  nameOf: (item: T) => string,
): T[] {
  const wanted = q?.trim().toLowerCase();
  if (!wanted) return [...items];
  return items.filter((item) => nameOf(item).toLowerCase().includes(wanted));
}
