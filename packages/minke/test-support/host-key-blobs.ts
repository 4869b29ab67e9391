import { randomBytes } from 'node:crypto';
import { hostKeyFromBlob, type HostKey } from '../src/transport/ssh/host-keys/host-key.js';

/** A syntactically valid SSH public key blob of `type` with random key bytes. */
export function randomHostKey(type = 'ssh-ed25519'): HostKey {
  const name = Buffer.from(type);
  const body = randomBytes(32);
  const blob = Buffer.alloc(8 + name.length + body.length);
  blob.writeUInt32BE(name.length, 0);
  name.copy(blob, 4);
  blob.writeUInt32BE(body.length, 4 + name.length);
  body.copy(blob, 8 + name.length);
  return hostKeyFromBlob(blob);
}
