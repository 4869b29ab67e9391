import { api } from '../api/http.js';
import { useLoaded } from '../api/use-loaded.js';

/** Loads once; `undefined` while loading, `null` when the endpoint is missing or refused. */
export function useApi<T>(
  path: string,
  query: Record<string, string | number> = {},
): T | null | undefined {
  const key = JSON.stringify(query);
  const { value, error } = useLoaded(
    () => api<T>(path, { query: JSON.parse(key) as Record<string, string | number> }),
    [path, key],
  );
  return value ?? (error === undefined ? undefined : null);
}

/** A list page's address with a filter, as react-admin reads it from the URL. */
export function filteredList(resource: string, filter: Record<string, unknown>): string {
  return `/${resource}?filter=${encodeURIComponent(JSON.stringify(filter))}`;
}
