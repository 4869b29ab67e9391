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
  /** The keys of the form schema when it is a zod object; null without a form. */
  formFields: string[] | null;
}
