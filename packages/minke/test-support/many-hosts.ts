import type { OpenedProject } from '../src/runtime/open-project.js';

/** Adds `count` local hosts named `prefix-0…`, 50 at a time; their ids, in order. */
export async function addManyHosts(
  project: OpenedProject,
  prefix: string,
  count: number,
): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; start < count; start += 50) {
    const names = Array.from(
      { length: Math.min(50, count - start) },
      (_, i) => `${prefix}-${start + i}`,
    );
    const added = await Promise.all(
      names.map((name) => project.hosts.add({ name, config: { transport: 'local' } })),
    );
    ids.push(...added.map((host) => host.id));
  }
  return ids;
}
