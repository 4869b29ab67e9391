import { useRecordContext } from 'react-admin';
import { useApiQuery, type ApiQuery } from '../facts/use-api-query.js';

/**
 * For a tab of a host's page: the host's name from the record shown (null outside one, and then
 * nothing is asked) and a GET of `/api/hosts/<name>/<what>`.
 */
export function useHostQuery<T>(what: string): { name: string | null; reply: ApiQuery<T> } {
  const record = useRecordContext();
  const name = typeof record?.name === 'string' ? record.name : null;
  const reply = useApiQuery<T>(
    name === null ? null : `/api/hosts/${encodeURIComponent(name)}/${what}`,
  );
  return { name, reply };
}
