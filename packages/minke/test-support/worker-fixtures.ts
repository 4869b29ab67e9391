/**
 * A small project for the queue's fault tests, shared by the test and by worker child processes
 * (`worker-process.ts`), so both register the same model and sessions. Hosts use the local
 * transport: the sessions run on this machine, no sshd needed.
 */
import { z } from 'zod';
import { resolveConfig } from '../src/config/resolve-config.js';
import { defineModel } from '../src/model/define-model.js';
import { f } from '../src/model/fields.js';
import { openProject, type OpenedProject } from '../src/runtime/open-project.js';
import { Session } from '../src/session/session.js';

export const Item = defineModel('Item', {
  fields: { host: f.ref('Host'), name: f.text() },
  hostLookup: 'host',
  display: ['name'],
});

const napForm = z.object({ seconds: z.number().min(0).max(60).default(0) });

/** Sleeps `seconds` (from the form) on the item's host, then says its name. */
export class Nap extends Session<typeof napForm> {
  static override workOn = [Item];
  static override form = napForm;
  override async process() {
    await this.xrun('sleep {seconds}; echo "done {name}" # minke-fault-nap');
  }
}

/** The first item of a host naps long; the others are quick (the test's "in the middle of"). */
export class FirstNaps extends Session {
  static override workOn = [Item];
  override async process() {
    const name = String(this.obj['name']);
    await this.xrun(name.endsWith('-1') ? 'sleep 6; echo "done {name}"' : 'echo "done {name}"');
  }
}

/** Does nothing on the host: what is left is the cost of running a session at all. */
export class Noop extends Session {
  static override workOn = [Item];
  override process() {
    return Promise.resolve();
  }
}

const tokenForm = z.object({ token: z.string().min(1) });

/** Takes a secret form value (named like one): says only how long it is, never the value. */
export class UseToken extends Session<typeof tokenForm> {
  static override workOn = [Item];
  static override form = tokenForm;
  override async process() {
    await this.run(`echo "token of ${this.data.token.length} characters"`);
  }
}

export const faultSessions = [Nap, FirstNaps, Noop, UseToken];

export interface FaultDatabase {
  url: string;
  /** PostgreSQL schema (one per test), as `openProject`'s option. */
  schema?: string;
}

/** Opens (and with `migrate`, creates) the fault-test project on a database. */
export function openFaultProject(
  database: FaultDatabase,
  options: { migrate?: boolean; executor?: Record<string, unknown> } = {},
): Promise<OpenedProject> {
  const config = resolveConfig(
    {
      database: database.url,
      models: [Item],
      sessions: faultSessions,
      ...(options.executor ? { executor: options.executor } : {}),
    },
    { projectDir: process.cwd(), configFile: 'fault-test' },
    {},
  );
  return openProject(config, {
    migrate: options.migrate ?? false,
    ...(database.schema === undefined ? {} : { schema: database.schema }),
  });
}

/** Adds `hosts` local hosts with `items` items each: host `h1` gets items `h1-1`, `h1-2`, ... */
export async function addLocalItems(
  project: OpenedProject,
  hosts: number,
  items: number,
): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (let h = 1; h <= hosts; h++) {
    const host = await project.hosts.add({ name: `h${h}`, config: { transport: 'local' } });
    for (let i = 1; i <= items; i++) {
      const name = `h${h}-${i}`;
      ids[name] = (await project.records.create('Item', { host: host.id, name })).id;
    }
  }
  return ids;
}
