import type { AuthProvider } from 'react-admin';
import { ApiError, api } from '../api/http.js';
import { forgetMetadata, getMe } from '../api/metadata.js';
import { clearBoards } from '../runs/boards.js';
import type { Me } from '@minke/contract';

/**
 * Cookie sessions: POST /api/auth/login sets an HttpOnly session cookie and a readable CSRF
 * cookie; `api()` copies the latter into the header of every write. Identity and permissions come
 * from GET /api/auth/me.
 */
export const authProvider: AuthProvider = {
  async login({ username, password }: { username: string; password: string }) {
    forgetMetadata();
    await api('/api/auth/login', { method: 'POST', body: { username, password } });
  },
  async logout() {
    forgetMetadata();
    clearBoards();
    try {
      await api('/api/auth/logout', { method: 'POST' });
    } catch {
      // already logged out, or the server is gone: the login page is the right place either way
    }
  },
  async checkAuth() {
    await getMe();
  },
  checkError(error: unknown) {
    const status = (error as { status?: number } | undefined)?.status;
    if (status === 401) {
      forgetMetadata();
      return Promise.reject(
        error instanceof Error ? error : new ApiError(401, 'unauthenticated', 'log in again'),
      );
    }
    // 403 means "not allowed", not "logged out": stay on the page and show the message
    return Promise.resolve();
  },
  async getIdentity() {
    const user = await getMe();
    return { id: user.id, fullName: user.username };
  },
  async getPermissions(): Promise<Me> {
    return await getMe();
  },
};

/** Whether the user holds a permission (superusers hold all). */
export function hasPermission(user: Me | undefined, codename: string): boolean {
  return !!user && (user.isSuperuser || user.permissions.includes(codename));
}
