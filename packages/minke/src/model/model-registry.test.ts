import { describe, expect, it } from 'vitest';
import { defineModel, type InferRecord } from './define-model.js';
import { f } from './fields.js';
import { buildModelRegistry } from './model-registry.js';

const Server = defineModel('Server', {
  fields: { host: f.ref('Host'), os: f.text({ optional: true }) },
  hostLookup: 'host',
});
const App = defineModel('App', {
  fields: { server: f.ref('Server'), name: f.text() },
  hostLookup: 'server.host',
});

describe('model registry', () => {
  it('resolves host lookup paths through refs', () => {
    const registry = buildModelRegistry([Server, App]);
    expect(registry.hostPath('App').map((s) => `${s.model.name}.${s.field}`)).toEqual([
      'App.server',
      'Server.host',
    ]);
    expect(registry.hostPath('Host')).toEqual([]);
    expect(registry.get('App').table).toBe('model_app');
  });

  it('infers record types from fields', () => {
    const record: InferRecord<typeof App> = { id: 1, server: 2, name: 'x' };
    const server: InferRecord<typeof Server> = { id: 1, host: 1, os: null };
    expect([record.name, server.os]).toEqual(['x', null]);
  });

  it.each([
    [[Server, Server], 'model Server is declared twice'],
    [[{ name: 'Fake' }], 'models[0] is not a model: declare it with defineModel()'],
    [[defineModel('Host', { fields: { x: f.text() }, hostLookup: 'x' })], 'model Host is built in'],
    [
      [defineModel('lower', { fields: { x: f.text() }, hostLookup: 'x' })],
      'model "lower": the name must be PascalCase',
    ],
    [[defineModel('A', { fields: {}, hostLookup: 'host' })], 'model A has no fields'],
    [
      [defineModel('A', { fields: { Bad: f.text() }, hostLookup: 'host' })],
      'model A, field Bad: field names are lower_snake_case',
    ],
    [
      [defineModel('A', { fields: { id: f.text() }, hostLookup: 'host' })],
      'model A, field id: the column id is taken',
    ],
    [
      [defineModel('A', { fields: { x: f.ref('Nope') }, hostLookup: 'x' })],
      'model A, field x: refers to unknown model "Nope"',
    ],
    [
      [defineModel('A', { fields: { x: f.text() }, hostLookup: 'x' })],
      'model A: host lookup "x": A.x is a text field, not a ref',
    ],
    [
      [defineModel('A', { fields: { x: f.text() }, hostLookup: 'host' })],
      'model A: host lookup "host": A has no field "host"',
    ],
    [
      [defineModel('A', { fields: { x: f.text() }, hostLookup: '' })],
      'model A: host lookup "" is empty',
    ],
    [
      [Server, defineModel('A', { fields: { s: f.ref('Server') }, hostLookup: 's' })],
      'model A: host lookup "s" ends at Server, not at Host',
    ],
    [
      [
        defineModel('A', {
          fields: { e: f.enum(['a'], { default: 'b' as 'a' }), h: f.ref('Host') },
          hostLookup: 'h',
        }),
      ],
      'the default "b" is not one of its values',
    ],
  ])('refuses a bad setup with a message naming model and field (%#)', (models, message) => {
    expect(() => buildModelRegistry(models)).toThrow(message);
  });
});
