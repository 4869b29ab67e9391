import { api } from './http.js';
import type { Me, ModelMeta, SessionMeta } from '@minke/contract';

/**
 * Cached metadata of the logged-in user: who they are, the models they may view, the sessions
 * they may run. Cleared on login and logout, since all of it depends on the user.
 */
let me: Promise<Me> | undefined;
let models: Promise<ModelMeta[]> | undefined;
const sessions = new Map<string, Promise<SessionMeta[]>>();

export function getMe(): Promise<Me> {
  me ??= api<Me>('/api/auth/me').catch((error: unknown) => {
    me = undefined;
    throw error;
  });
  return me;
}

export function getModels(): Promise<ModelMeta[]> {
  models ??= api<ModelMeta[]>('/api/models').catch((error: unknown) => {
    models = undefined;
    throw error;
  });
  return models;
}

export async function getModel(name: string): Promise<ModelMeta | undefined> {
  return (await getModels()).find((m) => m.name === name);
}

/** Sessions the user may run on `model` (every session they may run, without one). */
export function getSessions(model?: string): Promise<SessionMeta[]> {
  const key = model ?? '';
  let found = sessions.get(key);
  if (!found) {
    found = api<SessionMeta[]>('/api/sessions', { query: { model } }).catch((error: unknown) => {
      sessions.delete(key);
      throw error;
    });
    sessions.set(key, found);
  }
  return found;
}

export function forgetMetadata(): void {
  me = undefined;
  models = undefined;
  sessions.clear();
}
