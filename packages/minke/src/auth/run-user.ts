/** Who asks for a run; the CLI on the Minke machine runs as a local operator with every right. */
export interface RunUser {
  id: number | null;
  isSuperuser: boolean;
  permissions: ReadonlySet<string>;
}

export const localOperator: RunUser = { id: null, isSuperuser: true, permissions: new Set() };
