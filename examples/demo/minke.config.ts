import { defineConfig, defineInventorySource } from 'minke';
import { App, Module, Server } from './models.js';
import { AppFiles, DiskUsage, FullCheck, HealthCheck, RunCommand, ServerInfo } from './sessions.js';

export default defineConfig({
  // A SQLite file beside this config; MINKE_DATABASE_URL=postgres://... switches to PostgreSQL.
  database: 'sqlite:minke-demo.db',
  models: [Server, App, Module],
  sessions: [ServerInfo, DiskUsage, RunCommand, HealthCheck, AppFiles, FullCheck],
  pluginsDir: 'plugins',
  // Hosts kept in a CSV export: `minke inventory sync lab --dry-run` shows what it would add.
  inventory: [
    defineInventorySource({ name: 'lab', from: { file: 'inventory.csv' }, model: 'Server' }),
  ],
  server: { listen: '127.0.0.1', port: 8000 },
});
