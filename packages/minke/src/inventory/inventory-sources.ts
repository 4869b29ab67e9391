import type { InventorySource, InventorySourceList } from '@minke/contract';
import {
  isInventorySource,
  type InventorySourceDefinition,
} from '../config/define-inventory-source.js';
import { NotFoundError, SetupError } from '../errors.js';
import { parseCron } from '../jobs/cron-times.js';
import type { Project } from '../operations/project.js';
import { InventoryStore, type SourceState } from './inventory-store.js';

const namePattern = /^[A-Za-z0-9_.-]+$/;

/**
 * The project's inventory sources (`inventory: [...]` in `minke.config.ts`), checked: a mistake
 * names the source and the setting and stops the command.
 */
export function inventorySources(project: Project): InventorySourceDefinition[] {
  const seen = new Set<string>();
  return (project.config.inventory ?? []).map((value, index) => {
    if (!isInventorySource(value))
      throw new SetupError(
        `inventory[${index}] is not an inventory source: write it with defineInventorySource({...})`,
      );
    const fail = (reason: string) =>
      new SetupError(`inventory source ${value.name || `inventory[${index}]`}: ${reason}`);
    if (!namePattern.test(value.name)) throw fail('name: letters, digits, _, . and - only');
    if (seen.has(value.name)) throw fail('defined twice');
    seen.add(value.name);
    const kinds = ['file', 'url', 'command', 'sshConfig'].filter((kind) => kind in value.from);
    if (kinds.length !== 1) throw fail('from: give exactly one of file, url, command or sshConfig');
    const from = value.from as Record<string, unknown>;
    if ('command' in from && (!Array.isArray(from['command']) || from['command'].length === 0))
      throw fail('from.command: a list of the program and its arguments (no shell)');
    if ('url' in from && !/^https?:\/\//.test(String(from['url'])))
      throw fail('from.url: an http:// or https:// address');
    if (value.schedule !== null) {
      try {
        parseCron({ cron: value.schedule, timezone: 'UTC', endAt: null }).stop();
      } catch (error) {
        throw fail(`schedule: ${(error as Error).message}`);
      }
    }
    return value;
  });
}

/** A project's source by name, or a NotFoundError that lists the names there are. */
export function inventorySource(project: Project, name: string): InventorySourceDefinition {
  const sources = inventorySources(project);
  const source = sources.find((candidate) => candidate.name === name);
  if (!source) {
    const names = sources.map((candidate) => candidate.name).join(', ') || 'none';
    throw new NotFoundError(`inventory source ${name} does not exist (sources: ${names})`);
  }
  return source;
}

/** The sources with how many hosts each owns and how its last sync went. */
export async function listInventory(project: Project): Promise<InventorySourceList> {
  const sources = inventorySources(project);
  const store = new InventoryStore(project.database);
  const [counts, states] = await Promise.all([store.hostCounts(), store.states()]);
  return {
    items: sources.map((source) => ({
      ...describeFrom(source),
      name: source.name,
      format: source.format,
      model: source.model,
      schedule: source.schedule,
      removed: source.removed,
      hosts: counts.get(source.name) ?? 0,
      lastSync: lastSyncOf(states.get(source.name)),
    })),
  };
}

function describeFrom(source: InventorySourceDefinition): Pick<InventorySource, 'kind' | 'from'> {
  const from = source.from;
  if ('file' in from) return { kind: 'file', from: from.file };
  if ('url' in from) return { kind: 'url', from: from.url };
  if ('command' in from) return { kind: 'command', from: from.command.join(' ') };
  return { kind: 'sshConfig', from: from.sshConfig };
}

function lastSyncOf(state: SourceState | undefined): InventorySource['lastSync'] {
  if (!state?.lastSyncAt) return null;
  const count = (key: string) => Number(state.lastCounts?.[key] ?? 0);
  return {
    at: state.lastSyncAt,
    ok: state.lastOk === true,
    error: state.lastError,
    added: count('added'),
    changed: count('changed'),
    removed: count('removed'),
    unchanged: count('unchanged'),
  };
}
