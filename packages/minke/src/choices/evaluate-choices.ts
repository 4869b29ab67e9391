import { InputError } from '../errors.js';
import { valueAt } from '../facts/fact-search.js';
import { resolveHosts } from '../model/host-lookup.js';
import type { Project } from '../operations/project.js';
import { parseWhere } from '../query/parse-where.js';
import type { ChoiceItem, ChoiceSelection, ChoicesSpec, ChoiceValue } from './choice-source.js';

/** At most this many choices are listed (and accepted): a select of more helps nobody. */
export const MAX_CHOICES = 1000;

/**
 * The choices of a source for a selection. Model choices list records (the selection does not
 * matter); fact and field choices list the values found on the selected objects, each with how
 * many objects have it, most common first; a project's function gets the selection.
 */
export async function evaluateChoices(
  project: Project,
  spec: ChoicesSpec,
  selection: ChoiceSelection,
): Promise<ChoiceItem[]> {
  switch (spec.kind) {
    case 'model':
      return modelChoices(project, spec.model, spec.options);
    case 'facts':
      return factChoices(project, spec.path, spec.options.keys === true, selection);
    case 'field':
      return fieldChoices(project, spec.field, selection);
    case 'function':
      return functionChoices(spec.compute, selection);
  }
}

async function modelChoices(
  project: Project,
  modelName: string,
  options: { where?: string; label?: string; value?: string },
): Promise<ChoiceItem[]> {
  const model = project.models.get(modelName);
  // A display path (`host.name`) is not followed here: the form shows it to whoever may run the
  // session, and a label reads no further than the model itself.
  const label = options.label ?? model.display.find((entry) => !entry.includes('.')) ?? 'id';
  const value = options.value ?? 'id';
  for (const field of [label, value]) {
    if (field !== 'id' && model.fields[field] === undefined)
      throw new InputError(`choices from ${modelName}: it has no field "${field}"`);
  }
  const page = await project.records.list(modelName, {
    filter: options.where === undefined ? undefined : parseWhere(options.where),
    order: label === 'id' ? ['id'] : [label, 'id'],
    limit: MAX_CHOICES,
  });
  const out: ChoiceItem[] = [];
  for (const record of page.items) {
    const v = record[value];
    if (!isChoiceValue(v)) continue;
    const shown = record[label];
    out.push({ value: v, label: isChoiceValue(shown) ? String(shown) : String(v), count: null });
  }
  return out;
}

async function factChoices(
  project: Project,
  path: readonly string[],
  keys: boolean,
  selection: ChoiceSelection,
): Promise<ChoiceItem[]> {
  const [plugin, ...rest] = path;
  if (plugin === undefined) throw new InputError('fromFacts: name a plugin, as in packages.*.name');
  const hosts = await resolveHosts(project.database, project.models, selection.model, [
    ...selection.ids,
  ]);
  const hostIds = [
    ...new Set([...hosts.values()].flatMap((h) => ('hostId' in h ? [h.hostId] : []))),
  ];
  const factsByHost = new Map<number, unknown>();
  for (let i = 0; i < hostIds.length; i += 500) {
    const rows = await project.database.tables
      .selectFrom('minke_facts as f')
      .innerJoin('minke_agents as a', 'a.id', 'f.agent_id')
      .select(['a.host_id', 'f.value'])
      .where('a.host_id', 'in', hostIds.slice(i, i + 500))
      .where('f.plugin', '=', plugin)
      .execute();
    for (const row of rows)
      if (row.host_id !== null && !factsByHost.has(row.host_id))
        factsByHost.set(row.host_id, row.value);
  }
  const counter = new ValueCounter();
  for (const id of selection.ids) {
    const resolved = hosts.get(id);
    if (!resolved || !('hostId' in resolved)) continue;
    const fact = factsByHost.get(resolved.hostId);
    if (fact === undefined) continue;
    const found = valuesAt(fact, rest);
    const values = keys
      ? found.flatMap((v) => (isPlainObject(v) ? Object.keys(v) : []))
      : found.filter(isChoiceValue);
    counter.addObject(values);
  }
  return counter.items();
}

function fieldChoices(project: Project, field: string, selection: ChoiceSelection): ChoiceItem[] {
  const model = project.models.get(selection.model);
  if (model.fields[field] === undefined && field !== 'id')
    throw new InputError(`choices from field "${field}": ${selection.model} has no such field`);
  const counter = new ValueCounter();
  for (const object of selection.objects) {
    const value = object[field];
    counter.addObject(isChoiceValue(value) ? [value] : []);
  }
  return counter.items();
}

async function functionChoices(
  compute: Extract<ChoicesSpec, { kind: 'function' }>['compute'],
  selection: ChoiceSelection,
): Promise<ChoiceItem[]> {
  const given = await compute(selection);
  const out: ChoiceItem[] = [];
  for (const item of given.slice(0, MAX_CHOICES)) {
    if (isChoiceValue(item)) out.push({ value: item, label: String(item), count: null });
    else if (isChoiceValue(item.value))
      out.push({
        value: item.value,
        label: item.label ?? String(item.value),
        count: item.count ?? null,
      });
  }
  return out;
}

/** Counts, per value, the objects that have it (an object counts once per value). */
class ValueCounter {
  private readonly counts = new Map<string, { value: ChoiceValue; count: number }>();

  addObject(values: readonly ChoiceValue[]): void {
    const seen = new Set<string>();
    for (const value of values) {
      const key = `${typeof value}:${String(value)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = this.counts.get(key) ?? { value, count: 0 };
      entry.count++;
      this.counts.set(key, entry);
    }
  }

  /** Most common first, then by value; at most `MAX_CHOICES`. */
  items(): ChoiceItem[] {
    return [...this.counts.values()]
      .sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)))
      .slice(0, MAX_CHOICES)
      .map(({ value, count }) => ({ value, label: String(value), count }));
  }
}

/** The values at a path, where `*` takes every element of a list or value of an object. */
export function valuesAt(value: unknown, keys: readonly string[]): unknown[] {
  const star = keys.indexOf('*');
  if (star < 0) {
    const found = valueAt(value, keys);
    return found === undefined || found === null ? [] : [found];
  }
  const container = valueAt(value, keys.slice(0, star));
  const children = Array.isArray(container)
    ? container
    : isPlainObject(container)
      ? Object.values(container)
      : [];
  return children.flatMap((child) => valuesAt(child, keys.slice(star + 1)));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isChoiceValue(value: unknown): value is ChoiceValue {
  return (
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    typeof value === 'boolean'
  );
}
