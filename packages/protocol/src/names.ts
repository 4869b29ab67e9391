/**
 * Rules for the names that travel in topics and messages. A node name becomes one topic level, so it
 * must never contain the MQTT separators or wildcards (`/`, `+`, `#`); the rule below is the
 * hostname alphabet plus `_`, which also covers what `os.hostname()` returns in practice.
 */

const NODE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$/;
const PLUGIN_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;
const PREFIX_LEVEL = /^[A-Za-z0-9._-]+$/;

/** Why `node` is not a usable node name, or `undefined` when it is. */
export function nodeNameProblem(node: string): string | undefined {
  if (NODE_NAME.test(node)) return undefined;
  return `node name ${JSON.stringify(node)} must be 1-253 letters, digits, '.', '_' or '-', starting and ending with a letter or digit`;
}

/** Why `name` is not a usable plugin name, or `undefined` when it is. */
export function pluginNameProblem(name: string): string | undefined {
  if (PLUGIN_NAME.test(name)) return undefined;
  return `plugin name ${JSON.stringify(name)} must be 1-128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit`;
}

/** Why `prefix` is not a usable topic prefix (`minke/v1`, `acme/minke/v1`), or `undefined`. */
export function topicPrefixProblem(prefix: string): string | undefined {
  const levels = prefix.split('/');
  if (
    prefix.length > 0 &&
    prefix.length <= 200 &&
    levels.every((level) => PREFIX_LEVEL.test(level))
  ) {
    return undefined;
  }
  return `topic prefix ${JSON.stringify(prefix)} must be one or more '/'-separated levels of letters, digits, '.', '_' or '-' (no wildcards, no empty level)`;
}

export function isNodeName(node: string): boolean {
  return nodeNameProblem(node) === undefined;
}

export function isPluginName(name: string): boolean {
  return pluginNameProblem(name) === undefined;
}
