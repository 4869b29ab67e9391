// ssh2 is CommonJS: Node's ESM loader sees only its default export.
import ssh2 from 'ssh2';

type KeyOptions = { passphrase: string; cipher: string; comment?: string } | { comment?: string };

/**
 * An ed25519 key pair made by ssh2, one that ssh2 itself can read back. Its generator drops a
 * leading zero byte of the public key, so about one pair in 256 is refused later as "Malformed
 * OpenSSH private key" (a fake server failed to start so in a CI run; ssh2 issue 1390). The first
 * pair of at most 20 whose both halves parse is taken.
 */
export function ed25519KeyPair(options: KeyOptions = {}): { private: string; public: string } {
  const passphrase = 'passphrase' in options ? options.passphrase : undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    const keys = ssh2.utils.generateKeyPairSync('ed25519', options);
    const readable =
      !(ssh2.utils.parseKey(keys.public) instanceof Error) &&
      !(ssh2.utils.parseKey(keys.private, passphrase) instanceof Error);
    if (readable) return keys;
  }
  throw new Error('ssh2 made 20 ed25519 key pairs it could not read back');
}
