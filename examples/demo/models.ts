import { defineModel, f, type InferRecord } from 'minke';

/** A machine: one per host. */
export const Server = defineModel('Server', {
  fields: {
    host: f.ref('Host', { unique: true }),
    role: f.enum(['web', 'db', 'cache', 'other'], { default: 'other' }),
    os: f.text({ optional: true, help: 'Filled in by the "Server info" session' }),
    kernel: f.text({ optional: true }),
    cores: f.int({ optional: true }),
    memory_mb: f.int({ optional: true, label: 'Memory (MB)' }),
  },
  hostLookup: 'host',
  display: ['host.name'],
  searchFields: ['os', 'kernel'],
});

/** An application installed on a server: a CMS, a database, a cache. */
export const App = defineModel('App', {
  fields: {
    server: f.ref('Server'),
    name: f.text(),
    kind: f.enum(['drupal', 'wordpress', 'postgresql', 'redis', 'nginx']),
    version: f.text({ optional: true }),
    root: f.text({ optional: true, help: 'Installation folder' }),
  },
  hostLookup: 'server.host',
  ordering: ['name'],
});

/** A module (extension, plugin) of an app, with its version. */
export const Module = defineModel('Module', {
  fields: {
    app: f.ref('App'),
    name: f.text(),
    version: f.text({ optional: true }),
    enabled: f.bool({ default: true }),
  },
  hostLookup: 'app.server.host',
  ordering: ['name'],
});

export type ServerRecord = InferRecord<typeof Server>;
export type AppRecord = InferRecord<typeof App>;
export type ModuleRecord = InferRecord<typeof Module>;
