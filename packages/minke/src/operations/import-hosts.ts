import type { Project } from '../project/open-project.js';
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
  options: { dryRun?: boolean | undefined; groups?: readonly string[] | undefined } = {},
): Promise<HostImportReport> {
  const report: HostImportReport = { dryRun: options.dryRun ?? false, added: [], skipped: [] };
  for (const candidate of hostsFromSshConfig(text)) {
    if (!candidate.input) {
      report.skipped.push({ alias: candidate.alias, reason: candidate.skipped ?? 'skipped' });
      continue;
    }
    if (await project.records.findBy('Host', 'name', candidate.input.name)) {
      report.skipped.push({ alias: candidate.alias, reason: 'host already exists' });
      continue;
    }
    if (!report.dryRun) await project.hosts.add({ ...candidate.input, groups: options.groups });
    report.added.push(candidate.input.name);
  }
  return report;
}
