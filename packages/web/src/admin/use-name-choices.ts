import { useGetList, type RaRecord } from 'react-admin';

/** A choice of an autocomplete input that stores a name (what the API takes for users, groups, hosts). */
export interface NameChoice {
  id: string;
  name: string;
}

/**
 * The records of `resource` as choices by their `field` (a name), sorted by it: for the inputs
 * that pick users, user groups or hosts by name.
 */
export function useNameChoices(resource: string, field = 'name'): NameChoice[] {
  const { data } = useGetList<RaRecord>(resource, {
    pagination: { page: 1, perPage: 1000 },
    sort: { field, order: 'ASC' },
  });
  return (data ?? []).map((record) => ({ id: String(record[field]), name: String(record[field]) }));
}
