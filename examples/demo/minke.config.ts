import { defineConfig } from 'minke';
import { App, Module, Server } from './models.js';
import { AppFiles, DiskUsage, FullCheck, HealthCheck, RunCommand, ServerInfo } from './sessions.js';

export default defineConfig({
  // A SQLite file beside this config; MINKE_DATABASE_URL=postgres://... switches to PostgreSQL.
  database: 'sqlite:minke-demo.db',
  models: [Server, App, Module],
  sessions: [ServerInfo, DiskUsage, RunCommand, HealthCheck, AppFiles, FullCheck],
  pluginsDir: 'plugins',
  server: { listen: '127.0.0.1', port: 8000 },
});
