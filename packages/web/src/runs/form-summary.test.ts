import { describe, expect, it } from 'vitest';
import type { FieldSpec } from '../schema-form/form-fields.js';
import { summaryValue } from './form-summary.js';

const field = (extra: Partial<FieldSpec>): FieldSpec => ({
  name: 'f',
  label: 'F',
  widget: 'text',
  required: false,
  nullable: false,
  ...extra,
});

describe('the confirm step summary of form data', () => {
  it('masks secrets and says when a value is empty', () => {
    expect(summaryValue(field({ secret: true }), 'hunter2')).toBe('••••••••');
    expect(summaryValue(field({ secret: true }), '')).toBe('(empty)');
    expect(summaryValue(field({}), 'df -h /')).toBe('df -h /');
    expect(summaryValue(field({ widget: 'boolean' }), true)).toBe('yes');
  });
});
