import { useEffect, useState } from 'react';
import { api } from '../api/http.js';

/** Loads once; `undefined` while loading, `null` when the endpoint is missing or refused. */
export function useApi<T>(
  path: string,
  query: Record<string, string | number> = {},
): T | null | undefined {
  const [value, setValue] = useState<T | null | undefined>(undefined);
  const key = JSON.stringify(query);
  useEffect(() => {
    let live = true;
    api<T>(path, { query: JSON.parse(key) as Record<string, string | number> }).then(
      (data) => live && setValue(data),
      () => live && setValue(null),
    );
    return () => {
      live = false;
    };
  }, [path, key]);
  return value;
}

/** A list page's address with a filter, as react-admin reads it from the URL. */
export function filteredList(resource: string, filter: Record<string, unknown>): string {
  return `/${resource}?filter=${encodeURIComponent(JSON.stringify(filter))}`;
}
