import { parse as parseYaml, parseDocument, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { hostsFromSshConfig } from '../operations/import-ssh-config.js';
import { parseAnsibleList, looksLikeAnsible } from './ansible-inventory.js';
import type { InventoryListing, ListedHost } from './inventory-listing.js';
import { parseCsv } from '../util/parse-csv.js';

export type InventoryFormat = 'csv' | 'yaml' | 'json' | 'ssh-config';

/** The CSV columns (and mapping keys) that are the host's own; others are the model's fields. */
const hostKeys = new Set(['name', 'hostname', 'port', 'user', 'groups', 'config']);

/**
 * Turns a source's text into hosts and records: CSV with a header row, YAML or JSON in Minke's
 * own shape (`{ hosts: [...], records: { Model: [...] } }`, as `minke load` reads) or Ansible's
 * `--list` shape, or an OpenSSH config. `model` names the model that extra CSV columns and
 * Ansible host variables fill. Malformed text is an InputError with its line (and column).
 */
export function parseInventory(
  text: string,
  format: InventoryFormat,
  model: string | null,
): InventoryListing {
  if (format === 'csv') return fromCsv(text, model);
  if (format === 'ssh-config') return fromSshConfig(text);
  const data = format === 'json' ? parseJson(text) : parseYamlText(text);
  if (looksLikeAnsible(data)) return parseAnsibleList(data, model);
  return fromMinkeShape(data, model);
}

function fromCsv(text: string, model: string | null): InventoryListing {
  const listing: InventoryListing = { hosts: [], records: [] };
  const rows = parseCsv(text);
  const first = rows[0];
  if (first && !('name' in first.cells)) throw new InputError('CSV: the header has no name column');
  for (const { line, cells } of rows) {
    const at = `line ${line}`;
    const name = cells['name'] ?? '';
    if (name === '') throw new InputError(`CSV ${at}: the name is empty`);
    listing.hosts.push({
      name,
      hostname: cells['hostname'] || null,
      port: portOf(cells['port'] || null, at),
      user: cells['user'] || null,
      groups: (cells['groups'] ?? '').split(/[;\s]+/).filter((group) => group !== ''),
      at,
    });
    const fields = Object.fromEntries(
      Object.entries(cells).filter(([key, value]) => !hostKeys.has(key) && value !== ''),
    );
    const extra = Object.keys(cells).filter((key) => !hostKeys.has(key));
    if (extra.length === 0) continue;
    if (model === null)
      throw new InputError(
        `CSV: unknown column(s) ${extra.join(', ')} (a host has name, hostname, port, user and groups; set the source's model to fill a model's fields)`,
      );
    listing.records.push({ model, host: name, fields, at });
  }
  return listing;
}

function fromSshConfig(text: string): InventoryListing {
  const hosts: ListedHost[] = [];
  for (const candidate of hostsFromSshConfig(text)) {
    const input = candidate.input;
    if (!input) continue; // patterns and Match blocks are defaults, not hosts
    hosts.push({
      name: input.name,
      hostname: input.hostname ?? null,
      port: input.port ?? null,
      user: input.user ?? null,
      groups: [],
      config: typeof input.config === 'object' ? input.config : {},
      at: `Host ${candidate.alias}`,
    });
  }
  return { hosts, records: [] };
}

const minkeHost = z
  .object({
    name: z.string().min(1),
    hostname: z.string().nullable().optional(),
    port: z.union([z.number(), z.string()]).nullable().optional(),
    user: z.string().nullable().optional(),
    groups: z.array(z.string()).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

/** Minke's own shape, the hosts and records parts of what `minke load` reads. */
const minkeShape = z.strictObject({
  hosts: z.array(minkeHost).optional(),
  records: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).optional(),
});

function fromMinkeShape(data: unknown, model: string | null): InventoryListing {
  const parsed = minkeShape.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    throw new InputError(
      `${path || 'the document'}: ${issue?.message ?? 'invalid'} (expected { hosts: [...], records: {...} } or Ansible's --list JSON)`,
    );
  }
  const listing: InventoryListing = { hosts: [], records: [] };
  for (const [index, host] of (parsed.data.hosts ?? []).entries()) {
    const at = `hosts[${index}]`;
    listing.hosts.push({
      name: host.name,
      hostname: host.hostname ?? null,
      port: portOf(host.port ?? null, at),
      user: host.user ?? null,
      groups: host.groups ?? [],
      ...(host.config === undefined ? {} : { config: host.config }),
      at,
    });
    const fields = Object.fromEntries(Object.entries(host).filter(([key]) => !hostKeys.has(key)));
    if (Object.keys(fields).length === 0) continue;
    if (model === null)
      throw new InputError(
        `${at}: unknown key(s) ${Object.keys(fields).join(', ')} (set the source's model to fill a model's fields)`,
      );
    listing.records.push({ model, host: host.name, fields, at });
  }
  for (const [modelName, rows] of Object.entries(parsed.data.records ?? {})) {
    for (const [index, row] of rows.entries()) {
      const at = `records.${modelName}[${index}]`;
      const { host, ...fields } = row;
      if (typeof host !== 'string')
        throw new InputError(`${at}: host: the name of the record's host is required`);
      listing.records.push({ model: modelName, host, fields, at });
    }
  }
  return listing;
}

function portOf(value: string | number | null, at: string): number | null {
  if (value === null) return null;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InputError(`${at}: port "${String(value)}" is not a number from 1 to 65535`);
  return port;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`JSON: ${jsonErrorPlace(text, error as Error)}`);
  }
}

/**
 * Node says `... in JSON at position 42`, or only quotes the text around the mistake; people
 * count lines and columns. Without a position, the YAML parser (JSON is YAML) finds the place.
 */
function jsonErrorPlace(text: string, error: Error): string {
  const reason = error.message
    .replace(/^(Unexpected token '.+?'),[\s\S]*is not valid JSON$/, '$1')
    .replace(/ in JSON at position \d+.*$/s, '');
  const match = /position (\d+)/.exec(error.message);
  if (match) {
    const before = text.slice(0, Number(match[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return `line ${line}, column ${column}: ${reason}`;
  }
  const place = parseDocument(text).errors[0]?.linePos?.[0];
  return place ? `line ${place.line}, column ${place.col}: ${reason}` : reason;
}

function parseYamlText(text: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const place = error.linePos?.[0];
      const where = place ? `line ${place.line}, column ${place.col}: ` : '';
      throw new InputError(`YAML: ${where}${error.message.split('\n')[0] ?? ''}`);
    }
    throw error;
  }
}
