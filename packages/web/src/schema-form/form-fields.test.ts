import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '@minke/contract';
import { formData, formFields, humanize, initialValues, validateForm } from './form-fields.js';

// What z.toJSONSchema({ io: 'input' }) writes for the demo's forms and a few more kinds.
const schema: JsonSchema = {
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1, default: '/', description: 'Path' },
    cmd: { type: 'string', minLength: 1, description: 'Shell command' },
    note: { type: 'string', widget: 'textarea' },
    retries: { type: 'integer', minimum: 0, maximum: 5 },
    ratio: { type: 'number', exclusiveMinimum: 0 },
    force: { type: 'boolean', default: false },
    level: { type: 'string', enum: ['info', 'debug'], default: 'info' },
    mode: { anyOf: [{ const: 'fast' }, { const: 'safe' }] },
    owner: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    extra: { type: 'object', description: 'Anything else, as JSON. It is passed on as is.' },
  },
  required: ['path', 'cmd', 'retries', 'force', 'level'],
};

describe('formFields', () => {
  const fields = formFields(schema);
  const byName = Object.fromEntries(fields.map((f) => [f.name, f]));

  it('picks a widget per type', () => {
    expect(fields.map((f) => [f.name, f.widget])).toEqual([
      ['path', 'text'],
      ['cmd', 'textarea'],
      ['note', 'textarea'],
      ['retries', 'integer'],
      ['ratio', 'number'],
      ['force', 'boolean'],
      ['level', 'enum'],
      ['mode', 'enum'],
      ['owner', 'text'],
      ['extra', 'json'],
    ]);
  });

  it('labels from a short description or the name, help from a long one', () => {
    expect(byName.path?.label).toBe('Path');
    expect(byName.retries?.label).toBe('Retries');
    expect(byName.extra?.label).toBe('Extra');
    expect(byName.extra?.help).toMatch(/as JSON/);
    expect(humanize('memory_mb')).toBe('Memory mb');
    expect(humanize('maxParallel')).toBe('Max parallel');
  });

  it('knows required, nullable, options and defaults', () => {
    expect(byName.path).toMatchObject({ required: true, default: '/', minLength: 1 });
    expect(byName.owner).toMatchObject({ required: false, nullable: true });
    expect(byName.mode?.options).toEqual(['fast', 'safe']);
    expect(initialValues(fields)).toMatchObject({
      path: '/',
      force: false,
      level: 'info',
      cmd: '',
    });
  });

  it('marks a secret field (a run-time connection value) for a password input', () => {
    const fields = formFields({
      type: 'object',
      properties: {
        password: { type: 'string', connection: 'sudo.password', secret: true } as JsonSchema,
        note: { type: 'string' },
      },
    });
    expect(fields.map((f) => [f.name, f.secret ?? false])).toEqual([
      ['password', true],
      ['note', false],
    ]);
  });

  it('returns nothing for a session without a form', () => {
    expect(formFields(null)).toEqual([]);
  });
});

describe('validateForm and formData', () => {
  const fields = formFields(schema);

  it('explains what is wrong per field', () => {
    const values = { ...initialValues(fields), path: '', retries: '7', ratio: '0', extra: '{' };
    expect(validateForm(fields, values)).toEqual({
      path: 'required',
      cmd: 'required',
      retries: 'at most 5',
      ratio: 'more than 0',
      extra: 'not valid JSON',
    });
    expect(validateForm(fields, { ...values, retries: '1.5' }).retries).toBe('a whole number');
  });

  it('sends typed values and leaves empty optional fields out (null when nullable)', () => {
    const values = {
      ...initialValues(fields),
      cmd: 'uptime',
      retries: '2',
      ratio: '0.5',
      force: true,
      extra: '{"a":1}',
    };
    expect(validateForm(fields, values)).toEqual({});
    expect(formData(fields, values)).toEqual({
      path: '/',
      cmd: 'uptime',
      retries: 2,
      ratio: 0.5,
      force: true,
      level: 'info',
      owner: null,
      extra: { a: 1 },
    });
  });
});
