import { type ConnectionConfigLayer, connectionConfigLayerSchema } from './connection-config.js';
import { deepMerge } from './deep-merge.js';
import { TransportError } from '../transport-error.js';

/**
 * Deep-merges connection config layers, later wins (see `deepMerge`). The order Minke uses is
 * built-in defaults < ssh_config < project config < host groups (by name) < host < session class
 * < run-time form values; `resolveConnectionConfig` applies it, this function only merges.
 *
 * @example
 *   mergeConnectionConfig(groupConfig, hostConfig, { pty: true })
 */
export function mergeConnectionConfig(
  ...layers: ReadonlyArray<ConnectionConfigLayer | undefined>
): ConnectionConfigLayer {
  const merged = deepMerge<ConnectionConfigLayer>(...layers);
  replaceSecretsWhole(merged, layers);
  return merged;
}

/**
 * A secret reference is one choice (`env`, `file` or `credential`), not a mapping to merge: a
 * host's `{ credential: x }` must replace its group's `{ env: Y }`, not sit beside it.
 */
function replaceSecretsWhole(
  merged: ConnectionConfigLayer,
  layers: ReadonlyArray<ConnectionConfigLayer | undefined>,
): void {
  for (const layer of layers) {
    if (layer?.password) merged.password = { ...layer.password };
    if (layer?.passphrase) merged.passphrase = { ...layer.passphrase };
    if (layer?.key) merged.key = { ...layer.key };
    if (layer?.sudo?.password && merged.sudo) merged.sudo.password = { ...layer.sudo.password };
  }
}

/**
 * Layers already checked, by object: the project's and a session class's layer are the same
 * object for every host of a run, and are checked once (a zod parse per host and layer otherwise).
 * Frozen, since every host's config shares them.
 */
const parsedLayers = new WeakMap<object, ConnectionConfigLayer>();

/**
 * Checks one layer (e.g. a host's YAML) and returns it typed. The error names the layer and the
 * field, so a bad host config is found where it was written.
 *
 * @example
 *   parseConnectionConfigLayer(yaml.parse(host.config), `host ${host.name}`)
 */
export function parseConnectionConfigLayer(value: unknown, label: string): ConnectionConfigLayer {
  if (value === undefined || value === null || value === '') return {};
  const known = typeof value === 'object' ? parsedLayers.get(value) : undefined;
  if (known) return known;
  const parsed = connectionConfigLayerSchema.safeParse(value);
  if (parsed.success) {
    if (typeof value === 'object') parsedLayers.set(value, Object.freeze(parsed.data));
    return parsed.data;
  }
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  throw new TransportError('config', label, problems.join('; '));
}
