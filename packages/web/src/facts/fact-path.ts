/** A fact path as the search names it (`facts.os.release`) and as the API takes it (plugin, path). */
export interface FactPathProps {
  factPath: string;
  plugin: string;
  path: string;
}

/** `facts.os.release` → plugin `os`, path `release`; undefined for a path without a plugin. */
export function splitFactPath(factPath: string): { plugin: string; path: string } | undefined {
  const [head, plugin, ...keys] = factPath.split('.');
  if (head !== 'facts' || plugin === undefined || plugin === '') return undefined;
  return { plugin, path: keys.join('.') };
}
