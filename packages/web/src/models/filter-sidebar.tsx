import CheckCircleOutlineIcon from '@mui/icons-material/CheckCircleOutlined';
import LabelOutlinedIcon from '@mui/icons-material/LabelOutlined';
import ToggleOnOutlinedIcon from '@mui/icons-material/ToggleOnOutlined';
import FolderOutlinedIcon from '@mui/icons-material/FolderOutlined';
import { FilterList, FilterListItem, FilterLiveSearch, useGetList } from 'react-admin';
import type { FieldMeta, ModelMeta } from '@minke/contract';
import { LAST_STATUS_KEY } from '../data/list-query.js';
import { ResponsiveFilters } from '../layout/responsive-filters.js';
import { fieldLabel } from './field-registry.js';

type Filters = Record<string, unknown>;

/** Toggles one value in or out of a multi-valued filter, as the original's status filter. */
function multiToggle(key: string) {
  const values = (filters: Filters): string[] => {
    const current = filters[key];
    if (Array.isArray(current)) return current.map(String);
    return typeof current === 'string' && current !== '' ? [current] : [];
  };
  return {
    isSelected: (value: Filters, filters: Filters) => values(filters).includes(String(value[key])),
    toggleFilter: (value: Filters, filters: Filters) => {
      const chosen = String(value[key]);
      const current = values(filters);
      const next = current.includes(chosen)
        ? current.filter((v) => v !== chosen)
        : [...current, chosen];
      const { [key]: _old, ...rest } = filters;
      return next.length ? { ...rest, [key]: next } : rest;
    },
  };
}

function EnumFilter({ field }: { field: FieldMeta }) {
  const toggle = multiToggle(field.name);
  return (
    <FilterList label={fieldLabel(field)} icon={<LabelOutlinedIcon />}>
      {(field.values ?? []).map((value) => (
        <FilterListItem key={value} label={value} value={{ [field.name]: value }} {...toggle} />
      ))}
    </FilterList>
  );
}

function BoolFilter({ field }: { field: FieldMeta }) {
  return (
    <FilterList label={fieldLabel(field)} icon={<ToggleOnOutlinedIcon />}>
      <FilterListItem label="Yes" value={{ [field.name]: true }} />
      <FilterListItem label="No" value={{ [field.name]: false }} />
    </FilterList>
  );
}

function GroupsFilter({ field }: { field: FieldMeta }) {
  const { data } = useGetList<{ id: string; name: string }>('host-groups', {
    pagination: { page: 1, perPage: 200 },
    sort: { field: 'name', order: 'ASC' },
  });
  const toggle = multiToggle(field.name);
  if (!data?.length) return null;
  return (
    <FilterList label={fieldLabel(field)} icon={<FolderOutlinedIcon />}>
      {data.map((group) => (
        <FilterListItem
          key={group.id}
          label={group.name}
          value={{ [field.name]: group.name }}
          {...toggle}
        />
      ))}
    </FilterList>
  );
}

/**
 * The filter sidebar, as the Django admin's: the last session's result (several may be ticked:
 * "error or warning"), then every enum, bool and host-group field. Text, number, date and ref
 * fields filter in the bar above the list. On a narrow screen it is a drawer.
 */
export function FilterSidebar({ meta }: { meta: ModelMeta }) {
  const lastStatus = multiToggle(LAST_STATUS_KEY);
  return (
    <ResponsiveFilters>
      <FilterLiveSearch source="q" label="Search" />
      <FilterList label="Last session status" icon={<CheckCircleOutlineIcon />}>
        {(['success', 'warning', 'error'] as const).map((value) => (
          <FilterListItem
            key={value}
            label={value}
            value={{ [LAST_STATUS_KEY]: value }}
            data-testid={`filter-last-${value}`}
            {...lastStatus}
          />
        ))}
      </FilterList>
      {meta.fields.map((field) =>
        field.kind === 'enum' ? (
          <EnumFilter key={field.name} field={field} />
        ) : field.kind === 'bool' ? (
          <BoolFilter key={field.name} field={field} />
        ) : field.kind === 'groups' ? (
          <GroupsFilter key={field.name} field={field} />
        ) : null,
      )}
    </ResponsiveFilters>
  );
}
