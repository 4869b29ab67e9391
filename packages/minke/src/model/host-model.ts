import { defineModel } from './define-model.js';
import { f } from './fields.js';

/**
 * Host is a model like any other, so lists, filters and sessions treat it the same; its table is
 * Minke's own and its groups live in a join table.
 */
export const Host = defineModel('Host', {
  fields: {
    name: f.text({ unique: true, help: 'Unique, DNS-safe: web-1.example.com' }),
    hostname: f.text({ optional: true, help: 'Address or ssh-config alias; the name when empty' }),
    port: f.int({ optional: true }),
    user: f.text({ optional: true }),
    config: f.json({ default: {}, help: 'Connection config (YAML or JSON mapping)' }),
    disabled: f.bool({ default: false }),
    comment: f.text({ optional: true }),
  },
  hostLookup: '',
  label: 'Hosts',
  display: ['name'],
  searchFields: ['name', 'hostname', 'comment'],
  ordering: ['name'],
  table: 'minke_hosts',
});

export const HOST_MODEL = 'Host';
