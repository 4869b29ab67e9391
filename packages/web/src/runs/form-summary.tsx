import { Box, Typography } from '@mui/material';
import { shorten } from '../data/value-text.js';
import type { FieldSpec, FormValues } from '../schema-form/form-fields.js';

/** What a field's value looks like in a summary: secrets masked, empty ones said so. */
export function summaryValue(field: FieldSpec, value: FormValues[string] | undefined): string {
  if (field.widget === 'boolean') return value === true ? 'yes' : 'no';
  const text = typeof value === 'string' ? value : '';
  if (text.trim() === '') return '(empty)';
  if (field.secret) return '••••••••';
  return shorten(text, 200);
}

/** The form data a run will start with, field by field, as the confirm step shows it. */
export function FormSummary({
  fields,
  values,
}: {
  fields: readonly FieldSpec[];
  values: FormValues;
}) {
  if (fields.length === 0) return null;
  return (
    <Box data-testid="form-summary" sx={{ mb: 2 }}>
      <Typography variant="subtitle2">With</Typography>
      <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: 'auto 1fr', gap: 0.5 }}>
        {fields.map((field) => (
          <Box key={field.name} sx={{ display: 'contents' }} data-field={field.name}>
            <Box component="dt" sx={{ color: 'text.secondary', pr: 2 }}>
              {field.label}
            </Box>
            <Box
              component="dd"
              sx={{ m: 0, fontFamily: 'monospace', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
            >
              {summaryValue(field, values[field.name])}
            </Box>
          </Box>
        ))}
      </Box>
    </Box>
  );
}
