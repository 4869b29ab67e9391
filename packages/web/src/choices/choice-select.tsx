import { Autocomplete, Chip, TextField } from '@mui/material';
import type { Choice, ChoiceList } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import { choiceText, fromFormValue, toFormValue } from './choice-values.js';

export interface ChoiceSelectProps {
  session: string;
  model: string;
  /** The selected objects: the choices are computed for them. */
  ids: readonly number[];
  field: { name: string; label: string; required: boolean; help?: string | undefined };
  /** The form's value: the choice's value as text, or a JSON list of values (multiple). */
  value: string | boolean | undefined;
  error: string | undefined;
  disabled?: boolean | undefined;
  onChange: (value: string) => void;
}

/**
 * A form field whose choices come from the CMDB: a searchable select (several values when the
 * field takes a list), loaded for the current selection from the choices endpoint. Fact and
 * field choices show how many selected objects have each value ("nginx — on 18 of 20").
 */
export function ChoiceSelect({
  session,
  model,
  ids,
  field,
  value,
  error,
  disabled,
  onChange,
}: ChoiceSelectProps) {
  const {
    data,
    error: loadError,
    loading,
  } = useApiQuery<ChoiceList>(
    `/api/sessions/${encodeURIComponent(session)}/choices/${encodeURIComponent(field.name)}`,
    { model, ids: ids.join(',') },
  );
  const options = data?.items ?? [];
  const multiple = data?.multiple === true;
  const chosen = fromFormValue(value, options, multiple);
  const label = field.required ? `${field.label} *` : field.label;
  const helper = error ?? loadError ?? field.help;
  const total = data?.selected ?? ids.length;
  const input = (
    params: Parameters<NonNullable<Parameters<typeof Autocomplete>[0]['renderInput']>>[0],
  ) => (
    <TextField
      {...params}
      label={label}
      name={field.name}
      error={!!error || !!loadError}
      helperText={helper}
      size="small"
      placeholder={loading ? 'loading choices…' : 'type to search'}
    />
  );
  const optionText = (option: Choice) => choiceText(option, total);
  if (multiple) {
    return (
      <Autocomplete<Choice, true>
        multiple
        data-testid={`choice-field-${field.name}`}
        options={options}
        value={chosen}
        loading={loading}
        disabled={disabled}
        disableCloseOnSelect
        getOptionLabel={optionText}
        isOptionEqualToValue={(a, b) => a.value === b.value}
        onChange={(_event, next) => onChange(toFormValue(next, true))}
        renderValue={(selected, getItemProps) =>
          selected.map((option, index) => {
            const { key, ...props } = getItemProps({ index });
            return <Chip key={key} size="small" label={option.label} {...props} />;
          })
        }
        renderInput={input}
      />
    );
  }
  return (
    <Autocomplete<Choice, false>
      data-testid={`choice-field-${field.name}`}
      options={options}
      value={chosen[0] ?? null}
      loading={loading}
      disabled={disabled}
      getOptionLabel={optionText}
      isOptionEqualToValue={(a, b) => a.value === b.value}
      onChange={(_event, next) => onChange(toFormValue(next ? [next] : [], false))}
      renderInput={input}
    />
  );
}
