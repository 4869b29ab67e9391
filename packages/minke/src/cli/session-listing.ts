/** A registered session as `minke sessions list --json` prints it. */
export interface SessionListing {
  name: string;
  verboseName: string;
  group: string | null;
  description: string | null;
  models: string[];
  permissions: string[];
  runPermission: string | null;
  confirm: boolean;
  parallelPerHost: boolean;
  /** The session's time limit in milliseconds; null: none. */
  timeoutMs: number | null;
  /** The keys of the form schema when it is a zod object; null without a form. */
  formFields: string[] | null;
}

/**
 * The order `minke sessions list` prints, the same from the project and from a server's
 * catalog: by group, the ungrouped last, then by name.
 */
export function byGroupThenName(a: SessionListing, b: SessionListing): number {
  if (a.group !== b.group) {
    if (a.group === null) return 1;
    if (b.group === null) return -1;
    return a.group.localeCompare(b.group);
  }
  return a.name.localeCompare(b.name);
}
