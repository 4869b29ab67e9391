/** The files `minke init` writes: a project that works at once. */
export const projectTemplates: Record<string, string> = {
  'minke.config.ts': `import { defineConfig } from 'minke';
import { Server } from './models.js';
import { DiskUsage, ServerInfo } from './sessions.js';

export default defineConfig({
  // A SQLite file in this folder; set MINKE_DATABASE_URL=postgres://... to use PostgreSQL.
  database: 'sqlite:minke.db',
  models: [Server],
  sessions: [ServerInfo, DiskUsage],
  pluginsDir: 'plugins',
  // Connection defaults for every host; host groups and hosts override them.
  ssh: {},
  server: { listen: '127.0.0.1', port: 8000 },
});
`,
  'models.ts': `import { defineModel, f, type InferRecord } from 'minke';

/** One server per host: what Minke knows about the machine. */
export const Server = defineModel('Server', {
  fields: {
    host: f.ref('Host', { unique: true }),
    role: f.enum(['web', 'db', 'other'], { default: 'other' }),
    os: f.text({ optional: true, help: 'Filled by a session' }),
    notes: f.text({ optional: true }),
  },
  hostLookup: 'host',
  searchFields: ['os', 'notes'],
});

export type ServerRecord = InferRecord<typeof Server>;
`,
  'sessions.ts': `import { Session, SingleCommandSession } from 'minke';
import { Server } from './models.js';

/** Reads the operating system's name into Server.os, and shows the uptime. */
export class ServerInfo extends Session {
  static override workOn = [Server];
  static override group = 'Info';
  override async process() {
    await this.updateField('os', 'cat /etc/os-release', /PRETTY_NAME="?([^"\\n]+)/);
    await this.xrun('uptime');
  }
}

/** Disk usage of a host or a server; {field} values in commands are shell-quoted. */
export class DiskUsage extends SingleCommandSession {
  static override workOn = ['Host', Server];
  static override group = 'Info';
  static override command = 'df -h';
}
`,
  'plugins/uptime.cfg': `; An agent plugin: the agent runs only the plugins in its plugin folder.
[uptime]
name = uptime
description = Seconds since boot and load averages
command = cat /proc/uptime /proc/loadavg
result_format = output
timeout = 10
`,
  'package.json': `{
  "private": true,
  "type": "module"
}
`,
  '.gitignore': `minke.db
minke.db-wal
minke.db-shm
.minke/
`,
  'README.md': `# A Minke project

- \`minke migrate\` creates the database (a SQLite file here by default).
- \`minke hosts add web-1 --hostname 192.0.2.10 --user deploy\` adds a host.
- \`minke records list Server\` lists records of the Server model (models.ts).
- \`minke start\` serves Minke at http://127.0.0.1:8000.
`,
};
