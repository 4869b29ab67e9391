import type { MAX_PAGE_SIZE } from '@minke/contract';

/**
 * The API's most rows a request (the contract's MAX_PAGE_SIZE; its type is the number, so the
 * two cannot differ). Not imported as a value: the contract loads zod, which `--help` must not.
 */
const PAGE_SIZE: typeof MAX_PAGE_SIZE = 1000;

/** What one list request gives back: the rows asked for and how many match in all. */
export interface PageReply<T> {
  items: T[];
  total: number;
}

/** Requests one list makes at most: 10 million rows, far beyond any --limit a person types. */
const MAX_REQUESTS = 10_000;

/**
 * `limit` rows from `offset`, through as many requests of at most PAGE_SIZE rows as it takes:
 * lists (the project's and the API's) give at most that many a request, but `--limit` is the
 * user's, so `hosts list --limit 5000` prints 5,000 hosts on the project and through a server
 * alike. Stops at the last row that matches; the reply says the `limit` and `offset` asked for.
 */
export async function readPages<T, R extends PageReply<T>>(
  window: { limit: number; offset: number },
  request: (page: { limit: number; offset: number }) => Promise<R>,
): Promise<R & { limit: number; offset: number }> {
  const items: T[] = [];
  let reply = await request(pageAt(window, 0));
  for (let requests = 1; ; requests++) {
    items.push(...reply.items);
    const wanted = Math.min(window.limit, Math.max(0, reply.total - window.offset));
    if (reply.items.length === 0 || items.length >= wanted || requests >= MAX_REQUESTS) break;
    reply = await request(pageAt(window, items.length));
  }
  return { ...reply, items: items.slice(0, window.limit), ...window };
}

function pageAt(window: { limit: number; offset: number }, read: number) {
  return {
    limit: Math.max(1, Math.min(PAGE_SIZE, window.limit - read)),
    offset: window.offset + read,
  };
}
