/** A host as a source lists it. */
export interface ListedHost {
  name: string;
  hostname: string | null;
  port: number | null;
  user: string | null;
  groups: string[];
  /** Connection config, when the source gives one (an OpenSSH config's identity files, ...). */
  config?: Record<string, unknown>;
  /** Where the source lists it, for messages: `line 4`, `hosts[2]`, `_meta.hostvars.web-1`. */
  at: string;
}

/** A record of the source's model, tied to a listed host. */
export interface ListedRecord {
  model: string;
  /** The host's name. */
  host: string;
  /** Field values by name, the host's reference left out. */
  fields: Record<string, unknown>;
  at: string;
}

/** What a source lists: hosts, and records beside them. */
export interface InventoryListing {
  hosts: ListedHost[];
  records: ListedRecord[];
}
