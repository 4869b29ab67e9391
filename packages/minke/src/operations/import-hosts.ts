import type { Project } from './project.js';
import type { ConnectionActor } from './connection-guard.js';
import type { HostInput } from './hosts.js';
import { hostsFromSshConfig } from './import-ssh-config.js';

export interface HostImportReport {
  dryRun: boolean;
  /** Hosts added (or that would be, on a dry run). */
  added: string[];
  /** Entries left out, and why (a pattern, an invalid name, a host that exists). */
  skipped: { alias: string; reason: string }[];
}

/**
 * Adds a host for each concrete `Host` entry of an OpenSSH config text; existing hosts are left
 * alone. Shared by the API (`POST /api/hosts/import`); the CLI reads the file and does the same.
 */
export async function importHosts(
  project: Project,
  text: string,
  options: {
    dryRun?: boolean | undefined;
    groups?: readonly string[] | undefined;
    /** Who imports; their connection rights are checked for every host before any is added. */
    actor?: ConnectionActor;
  } = {},
): Promise<HostImportReport> {
  const report: HostImportReport = { dryRun: options.dryRun ?? false, added: [], skipped: [] };
  const toAdd: HostInput[] = [];
  for (const candidate of hostsFromSshConfig(text)) {
    if (!candidate.input) {
      report.skipped.push({ alias: candidate.alias, reason: candidate.skipped ?? 'skipped' });
      continue;
    }
    if (await project.records.findBy('Host', 'name', candidate.input.name)) {
      report.skipped.push({ alias: candidate.alias, reason: 'host already exists' });
      continue;
    }
    toAdd.push({ ...candidate.input, groups: options.groups });
  }
  // All or nothing: a host the importer may not add is refused before any host is written (a
  // dry run answers the same, so it shows what the real import would do).
  for (const input of toAdd) await project.hosts.checkAdd(input, options.actor);
  for (const input of toAdd) {
    if (!report.dryRun) await project.hosts.add(input, options.actor);
    report.added.push(input.name);
  }
  return report;
}
