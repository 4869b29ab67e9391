// The API bench's project: two models chained to Host (Service → Server → Host), so that filters
// walk refs (`server.host.name`) and reach facts (`facts.os-release.ID` on a Service), and the
// sessions its runs start.
import { defineModel } from '../src/model/define-model.js';
import { f } from '../src/model/fields.js';
import { SingleCommandSession } from '../src/session/builtin-sessions.js';

export const Server = defineModel('Server', {
  fields: {
    host: f.ref('Host'),
    name: f.text(),
    role: f.enum(['app', 'db', 'edge']),
    rack: f.int(),
  },
  hostLookup: 'host',
  ordering: ['name'],
});

export const Service = defineModel('Service', {
  fields: {
    server: f.ref('Server'),
    name: f.text(),
    kind: f.enum(['web', 'db', 'cache', 'queue']),
    port: f.int(),
    comment: f.text({ optional: true }),
  },
  hostLookup: 'server.host',
  ordering: ['name'],
});

/** Prints its wall-clock time in ms every 100 ms for 4 s: event latency on an idle server. */
export class SparseTicks extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'for i in $(seq 1 40); do date +%s%3N; sleep 0.1; done';
}

/**
 * What the 1,000-host run does on each host: its wall-clock time in seconds with microseconds (bash's clock, no fork; the command
 * template reads braces, so no `${...}`),
 * five times, half a second apart, so that 1,000 hosts stream about 2,000 lines a second.
 */
export class FleetTicks extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command =
    "exec bash -c 'for i in 1 2 3 4 5; do echo $EPOCHREALTIME; sleep 0.5; done'";
}

export const benchModels = [Server, Service];
export const benchSessions = [SparseTicks, FleetTicks];
