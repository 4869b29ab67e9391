import type { OpenedProject, OpenProjectOptions } from '../runtime/open-project.js';

export interface GlobalOptions {
  project?: string;
  /** A Minke server to talk to through its API instead of the local project (some commands). */
  server?: string;
  /** A file holding the API token for `server` (MINKE_TOKEN otherwise). */
  tokenFile?: string;
}

/** Loads the project named by --project (or found from the current folder) and opens it. */
export async function withProject<T>(
  globals: GlobalOptions,
  options: OpenProjectOptions,
  action: (project: OpenedProject) => Promise<T>,
): Promise<T> {
  const { findProjectDir, loadProjectConfig } = await import('../runtime/load-project.js');
  const { openProject } = await import('../runtime/open-project.js');
  const config = await loadProjectConfig(findProjectDir(globals.project));
  const project = await openProject(config, options);
  try {
    return await action(project);
  } finally {
    await project.close();
  }
}
