/**
 * Pages of a list read by cursor (`before` = the last item of the page above), as the fact
 * history is: an offset stops at the API's depth limit (10,000 versions), a cursor goes as deep as
 * the history does. `cursors[i]` opens page `i + 1`; page 0 has none.
 */
export interface KeysetPages {
  readonly cursors: readonly string[];
}

export const FIRST_PAGE: KeysetPages = { cursors: [] };

export function pageIndex(pages: KeysetPages): number {
  return pages.cursors.length;
}

/** The cursor to ask for the page shown now (undefined: the first page). */
export function currentCursor(pages: KeysetPages): string | undefined {
  return pages.cursors.at(-1);
}

/**
 * The pages after a move to page `next`: forward one page opens it with the last item shown now;
 * back goes to any page already seen. A jump forward past the next page is not possible by cursor
 * and leaves the pages as they are.
 */
export function movedTo(
  pages: KeysetPages,
  next: number,
  lastShown: string | undefined,
): KeysetPages {
  const now = pageIndex(pages);
  if (next <= now) return { cursors: pages.cursors.slice(0, Math.max(0, next)) };
  if (next === now + 1 && lastShown !== undefined)
    return { cursors: [...pages.cursors, lastShown] };
  return pages;
}
