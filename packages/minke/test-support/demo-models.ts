import { defineModel } from '../src/model/define-model.js';
import { f } from '../src/model/fields.js';

/** The shape of the demo project, for store tests: Server -> Host, App -> Server, Module -> App. */
export const Server = defineModel('Server', {
  fields: {
    host: f.ref('Host', { unique: true }),
    role: f.enum(['web', 'db', 'other'], { default: 'other' }),
    os: f.text({ optional: true }),
    cores: f.int({ optional: true }),
    monitored: f.bool({ default: true }),
  },
  hostLookup: 'host',
});

export const App = defineModel('App', {
  fields: {
    server: f.ref('Server'),
    name: f.text(),
    version: f.text({ optional: true }),
    settings: f.json({ optional: true }),
    deployed_at: f.datetime({ optional: true }),
  },
  hostLookup: 'server.host',
  ordering: ['name'],
});

export const Module = defineModel('Module', {
  fields: {
    app: f.ref('App'),
    name: f.text(),
    version: f.text({ optional: true }),
    enabled: f.bool({ default: true }),
  },
  hostLookup: 'app.server.host',
});

/** A model whose lookup can be empty: an optional ref to Host. */
export const Backup = defineModel('Backup', {
  fields: { host: f.ref('Host', { optional: true }), label: f.text() },
  hostLookup: 'host',
});

export const demoModels = [Server, App, Module, Backup];
