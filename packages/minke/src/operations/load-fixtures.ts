import { parse } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { HOST_MODEL } from '../model/host-model.js';
import type { Project } from './project.js';
import { createRecord } from './record-changes.js';

const fixtureSchema = z.strictObject({
  groups: z.array(z.object({ name: z.string() }).loose()).optional(),
  hosts: z.array(z.object({ name: z.string() }).loose()).optional(),
  records: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).optional(),
});

export interface LoadResult {
  groups: number;
  hosts: number;
  records: number;
  skipped: boolean;
}

/**
 * Loads groups, hosts and records from YAML or JSON (Django's loaddata, for Minke); every group,
 * host and record it makes is in the audit log, as the current actor's. Refs name
 * their target by id, by host name (refs to Host), or by a mapping of fields that picks exactly
 * one record: `server: { name: web-1 }`.
 */
export async function loadFixtures(
  project: Project,
  text: string,
  options: { ifEmpty?: boolean } = {},
): Promise<LoadResult> {
  const parsed = fixtureSchema.safeParse(parse(text) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `fixtures: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const data = parsed.data;
  if (options.ifEmpty && (await project.hosts.list({ limit: 1 })).total > 0) {
    return { groups: 0, hosts: 0, records: 0, skipped: true };
  }
  const result: LoadResult = { groups: 0, hosts: 0, records: 0, skipped: false };
  for (const group of data.groups ?? []) {
    await project.hosts.addGroup(group);
    result.groups++;
  }
  for (const host of data.hosts ?? []) {
    await project.hosts.add(host);
    result.hosts++;
  }
  for (const [modelName, rows] of Object.entries(data.records ?? {})) {
    const model = project.models.get(modelName);
    for (const [index, row] of rows.entries()) {
      const values: Record<string, unknown> = { ...row };
      for (const [name, field] of Object.entries(model.fields)) {
        if (field.kind === 'ref' && values[name] !== undefined && values[name] !== null) {
          values[name] = await resolveRef(
            project,
            field.model,
            values[name],
            `${modelName}[${index}].${name}`,
          );
        }
      }
      // As the API's record routes do: each record is one audit row, made by the CLI's operator
      // (groups and hosts are audited by the host operations above).
      await createRecord(project, modelName, values);
      result.records++;
    }
  }
  return result;
}

async function resolveRef(
  project: Project,
  target: string,
  value: unknown,
  where: string,
): Promise<number> {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && target === HOST_MODEL) {
    const host = await project.records.findBy(HOST_MODEL, 'name', value);
    if (!host) throw new InputError(`${where}: no host named ${value}`);
    return host.id;
  }
  if (typeof value === 'object' && value !== null) {
    const filter = {
      and: Object.entries(value as Record<string, unknown>).map(([path, v]) => ({
        path: path.split('.'),
        op: 'eq' as const,
        value: v as string | number | boolean | null,
      })),
    };
    const ids = await project.records.ids(target, { filter });
    if (ids.length !== 1)
      throw new InputError(
        `${where}: ${ids.length} ${target} records match ${JSON.stringify(value)}, expected exactly one`,
      );
    return ids[0] as number;
  }
  throw new InputError(`${where}: a ref is an id, a host name, or a mapping of fields`);
}
