import { may, requireSuperuser } from '../auth/access.js';
import type { RunUser } from '../auth/run-user.js';

/** Trust a host's new or changed SSH key (superusers always may). */
export const TRUST_HOST_KEY = 'trust_host_key';

export const trustHostKeyPermission = {
  codename: TRUST_HOST_KEY,
  name: "Can trust a host's new or changed SSH key",
};

export function requireTrustHostKey(user: RunUser): void {
  if (may(user, TRUST_HOST_KEY)) return;
  requireSuperuser(user, `trust host keys (or hold the permission ${TRUST_HOST_KEY})`);
}
