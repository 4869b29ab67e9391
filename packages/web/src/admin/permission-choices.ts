import type { Permission } from '@minke/contract';
import { api } from '../api/http.js';

export interface PermissionChoice {
  id: string;
  name: string;
}

/** Every permission the project defines (GET /api/permissions, superusers only). */
export async function permissionChoices(): Promise<PermissionChoice[]> {
  const list = await api<Permission[]>('/api/permissions');
  return list.map((p) => ({ id: p.codename, name: p.name }));
}
