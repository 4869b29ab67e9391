import type { RaRecord } from 'react-admin';

/** An object a run is about to start on, as the dialog lists it. */
export interface RunTarget {
  id: number;
  /** The record's label (its display fields, or `Model #id`). */
  label: string;
  /** The name of the host it reaches, when known (and it is not the label itself). */
  hostName?: string | null;
}

/**
 * How a person recognises an object: its label with the host it runs on, since many records
 * share a label ("Debian GNU/Linux 12 (Server #3) on web-1"); a label that starts with the host's
 * name already says it ("web-1 (Server #3)", a model displayed by `host.name`).
 */
export function targetName(target: RunTarget): string {
  const { label, hostName } = target;
  const named = !hostName || label === hostName || label.startsWith(`${hostName} `);
  return named ? label : `${label} on ${hostName}`;
}

export function labelOf(record: RaRecord | undefined, id: RaRecord['id']): string {
  const label = record?._label as string | undefined;
  return label ?? `#${String(id)}`;
}
