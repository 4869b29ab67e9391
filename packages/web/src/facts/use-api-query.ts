import { useCallback, useEffect, useState } from 'react';
import { api, type Query } from '../api/http.js';

export interface ApiQuery<T> {
  /** The last reply; kept while the next one loads, so a table does not blink. */
  data: T | undefined;
  /** The message of the last error reply (cleared by the next success). */
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * GETs `path` with `query` whenever either changes (or `reload()` is called); nothing while
 * `path` is null. A reply that arrives after a newer request started is dropped.
 */
export function useApiQuery<T>(path: string | null, query: Query = {}): ApiQuery<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [round, setRound] = useState(0);
  const key = JSON.stringify(query);
  useEffect(() => {
    if (path === null) return;
    const abort = new AbortController();
    setLoading(true);
    api<T>(path, { query: JSON.parse(key) as Query, signal: abort.signal }).then(
      (reply) => {
        if (abort.signal.aborted) return;
        setData(reply);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (abort.signal.aborted) return;
        setError((e as Error).message);
        setLoading(false);
      },
    );
    return () => abort.abort();
  }, [path, key, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, loading, reload };
}
