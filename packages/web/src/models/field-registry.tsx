import type { ReactElement } from 'react';
import {
  AutocompleteArrayInput,
  AutocompleteInput,
  BooleanField,
  BooleanInput,
  ChipField,
  DateField,
  DateTimeInput,
  FunctionField,
  NumberField,
  NumberInput,
  ReferenceArrayInput,
  ReferenceField,
  ReferenceInput,
  SelectInput,
  TextField,
  TextInput,
  required,
  type RaRecord,
} from 'react-admin';
import type { FieldMeta } from '@minke/contract';
import { humanize } from '../schema-form/form-fields.js';

/**
 * One entry per field kind: how the list shows it, how the form edits it and how the filter bar
 * asks for it (STYLE habit 4: the admin picks a component per field type from a registry).
 * A new kind is a new entry here, nothing else.
 */
export interface FieldKindUi {
  column(field: FieldMeta): ReactElement | null;
  input(field: FieldMeta, mode: 'create' | 'edit'): ReactElement | null;
  /** Filter-bar inputs; kinds with few values filter in the sidebar instead (see filter-sidebar). */
  filters(field: FieldMeta): ReactElement[];
}

export function fieldLabel(field: FieldMeta): string {
  return field.label ?? humanize(field.name);
}

function validation(field: FieldMeta) {
  return !field.optional && field.default === undefined ? [required()] : [];
}

function common(field: FieldMeta) {
  return {
    source: field.name,
    label: fieldLabel(field),
    helperText: field.help ?? false,
    validate: validation(field),
  };
}

function JsonValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span />;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return (
    <code title={text} style={{ fontSize: 12 }}>
      {text.length > 60 ? `${text.slice(0, 59)}…` : text}
    </code>
  );
}

/** JSON as indented text in the form; text that is not JSON is sent as it is (YAML, say). */
const formatJson = (value: unknown) =>
  value === undefined || value === null
    ? ''
    : typeof value === 'string'
      ? value
      : JSON.stringify(value, null, 2);
const parseJson = (text: string): unknown => {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/** The browser's local date-time input as an ISO-8601 instant, as the API stores datetimes. */
export function toInstant(value: string | null): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

const text: FieldKindUi = {
  column: (field) => <TextField key={field.name} source={field.name} label={fieldLabel(field)} />,
  input: (field) => <TextInput key={field.name} {...common(field)} />,
  filters: (field) => [
    <TextInput key={field.name} source={field.name} label={fieldLabel(field)} />,
  ],
};

function numberUi(step: number): FieldKindUi {
  return {
    // ports, ids and counts read better without thousands separators
    column: (field) => (
      <NumberField
        key={field.name}
        source={field.name}
        label={fieldLabel(field)}
        options={{ useGrouping: false }}
      />
    ),
    input: (field) => <NumberInput key={field.name} {...common(field)} step={step} />,
    filters: (field) => [
      <NumberInput
        key={`${field.name}_gte`}
        source={`${field.name}_gte`}
        label={`${fieldLabel(field)} ≥`}
      />,
      <NumberInput
        key={`${field.name}_lte`}
        source={`${field.name}_lte`}
        label={`${fieldLabel(field)} ≤`}
      />,
    ],
  };
}

export const FIELD_KINDS: Record<FieldMeta['kind'], FieldKindUi> = {
  text,
  int: numberUi(1),
  float: numberUi(0.01),
  bool: {
    column: (field) => (
      <BooleanField key={field.name} source={field.name} label={fieldLabel(field)} />
    ),
    input: (field) => <BooleanInput key={field.name} {...common(field)} validate={[]} />,
    filters: () => [],
  },
  datetime: {
    column: (field) => (
      <DateField key={field.name} source={field.name} label={fieldLabel(field)} showTime />
    ),
    input: (field) => <DateTimeInput key={field.name} {...common(field)} parse={toInstant} />,
    filters: (field) => [
      <DateTimeInput
        key={`${field.name}_gte`}
        source={`${field.name}_gte`}
        label={`${fieldLabel(field)} from`}
        parse={toInstant}
      />,
      <DateTimeInput
        key={`${field.name}_lte`}
        source={`${field.name}_lte`}
        label={`${fieldLabel(field)} until`}
        parse={toInstant}
      />,
    ],
  },
  enum: {
    column: (field) => (
      <ChipField
        key={field.name}
        source={field.name}
        label={fieldLabel(field)}
        size="small"
        emptyText=""
      />
    ),
    input: (field) => (
      <SelectInput
        key={field.name}
        {...common(field)}
        choices={(field.values ?? []).map((v) => ({ id: v, name: v }))}
      />
    ),
    filters: () => [],
  },
  json: {
    column: (field) => (
      <FunctionField
        key={field.name}
        source={field.name}
        label={fieldLabel(field)}
        sortable={false}
        render={(record: RaRecord) => <JsonValue value={record[field.name] as unknown} />}
      />
    ),
    input: (field) => (
      <TextInput
        key={field.name}
        {...common(field)}
        multiline
        minRows={3}
        format={formatJson}
        parse={parseJson}
      />
    ),
    filters: () => [],
  },
  ref: {
    column: (field) => (
      <ReferenceField
        key={field.name}
        source={field.name}
        reference={field.model ?? 'Host'}
        label={fieldLabel(field)}
        link="show"
        emptyText=""
      />
    ),
    input: (field) => (
      <ReferenceInput key={field.name} source={field.name} reference={field.model ?? 'Host'}>
        <AutocompleteInput
          label={fieldLabel(field)}
          helperText={field.help ?? false}
          validate={validation(field)}
          filterToQuery={(q: string) => ({ q })}
        />
      </ReferenceInput>
    ),
    filters: (field) => [
      <ReferenceInput key={field.name} source={field.name} reference={field.model ?? 'Host'}>
        <AutocompleteInput label={fieldLabel(field)} filterToQuery={(q: string) => ({ q })} />
      </ReferenceInput>,
    ],
  },
  groups: {
    column: (field) => (
      <FunctionField
        key={field.name}
        source={field.name}
        label={fieldLabel(field)}
        sortable={false}
        render={(record: RaRecord) => {
          const groups = (record[field.name] ?? []) as (string | { name: string })[];
          return groups.map((g) => (typeof g === 'string' ? g : g.name)).join(', ');
        }}
      />
    ),
    input: (field) => (
      <ReferenceArrayInput key={field.name} source={field.name} reference="host-groups">
        <AutocompleteArrayInput label={fieldLabel(field)} optionText="name" />
      </ReferenceArrayInput>
    ),
    filters: () => [],
  },
};

export function uiFor(field: FieldMeta): FieldKindUi {
  return FIELD_KINDS[field.kind] ?? text;
}
