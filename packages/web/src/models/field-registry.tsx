import type { ReactElement, ReactNode } from 'react';
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
import { asText, formText, shorten } from '../data/value-text.js';
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

/** A column showing what `render` makes of the field's value; it does not sort (the API sorts stored values). */
function renderedColumn(field: FieldMeta, render: (value: unknown) => ReactNode): ReactElement {
  return (
    <FunctionField
      key={field.name}
      source={field.name}
      label={fieldLabel(field)}
      sortable={false}
      render={(record: RaRecord) => render(record[field.name])}
    />
  );
}

/** The two filter inputs of a range, `<field>_gte` and `<field>_lte`, as the API takes them. */
function rangeFilters(
  field: FieldMeta,
  [from, until]: readonly [string, string],
  input: (source: string, label: string) => ReactElement,
): ReactElement[] {
  return [
    input(`${field.name}_gte`, `${fieldLabel(field)} ${from}`),
    input(`${field.name}_lte`, `${fieldLabel(field)} ${until}`),
  ];
}

function JsonValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span />;
  const text = asText(value);
  return (
    <code title={text} style={{ fontSize: 12 }}>
      {shorten(text, 60)}
    </code>
  );
}

/** JSON as indented text in the form (`formText`); text that is not JSON is sent as it is (YAML, say). */
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
    filters: (field) =>
      rangeFilters(field, ['≥', '≤'], (source, label) => (
        <NumberInput key={source} source={source} label={label} />
      )),
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
    filters: (field) =>
      rangeFilters(field, ['from', 'until'], (source, label) => (
        <DateTimeInput key={source} source={source} label={label} parse={toInstant} />
      )),
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
    column: (field) => renderedColumn(field, (value) => <JsonValue value={value} />),
    input: (field) => (
      <TextInput
        key={field.name}
        {...common(field)}
        multiline
        minRows={3}
        format={formText}
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
    column: (field) =>
      renderedColumn(field, (value) =>
        ((value ?? []) as (string | { name: string })[])
          .map((g) => (typeof g === 'string' ? g : g.name))
          .join(', '),
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
