import type { SessionMeta } from '@minke/contract';
import { byGroupThenName, type SessionListing } from '../session-listing.js';
import type { ApiClient } from './api-client.js';

/**
 * The sessions the token's user may run (on one model with `model`), from the server's catalog,
 * in the shape of `minke sessions list`, with the permissions each declares.
 */
export async function remoteSessionListings(
  client: ApiClient,
  model?: string,
): Promise<SessionListing[]> {
  const catalog = await client.get<SessionMeta[]>('/api/sessions', { model });
  return catalog
    .map((session) => ({
      name: session.name,
      verboseName: session.verboseName,
      group: session.group,
      description: session.description,
      models: session.models,
      permissions: session.permissions,
      runPermission: session.runPermission,
      confirm: session.confirm,
      parallelPerHost: session.parallelPerHost,
      timeoutMs: session.timeoutMs,
      formFields: formFields(session.form),
    }))
    .sort(byGroupThenName);
}

/** The form's field names from its JSON Schema; null without a form. */
function formFields(form: unknown): string[] | null {
  if (form === null || form === undefined) return null;
  const properties = (form as { properties?: unknown }).properties;
  return properties !== null && typeof properties === 'object' ? Object.keys(properties) : [];
}
