import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { cliOperator } from '../cli-operator.js';
import { stdoutOut } from '../output.js';
import type { GlobalOptions } from '../project-context.js';
import { localOrRemote } from '../local-or-remote.js';
import type { HostKeyInfo } from '../../hosts/host-key-store.js';

/** Where the keys are: the local project's database, or a server's API (`--server`, acting with
 * its token's permissions). */
interface HostKeySource {
  list(host?: string): Promise<HostKeyInfo[]>;
  trust(host: string, fingerprint: string): Promise<HostKeyInfo>;
}

const withHostKeys = localOrRemote<HostKeySource>({
  remote: (api) => ({
    list: (host) => api.get<HostKeyInfo[]>('/api/host-keys', { host }),
    trust: (host, fingerprint) =>
      api.post<HostKeyInfo>(`/api/hosts/${encodeURIComponent(host)}/host-key/trust`, {
        fingerprint,
      }),
  }),
  local: async (project) => {
    const { HostKeyStore } = await import('../../hosts/host-key-store.js');
    const store = new HostKeyStore(project.database);
    return {
      list: (host) => store.list(host),
      trust: (host, fingerprint) => store.trust(host, fingerprint, cliOperator()),
    };
  },
});

/**
 * `minke hosts keys [NAME]` and `minke hosts trust-key NAME --fingerprint SHA256:…`: the fleet's
 * known host keys as the operator of this machine sees and trusts them. Trusting takes the
 * fingerprint the host offered, so that nobody trusts a key they did not see. With `--server`
 * they go through the API, with the token user's permissions (trust_host_key).
 */
export function registerHostKeyCommands(program: Command, hosts: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  hosts
    .command('keys [name]')
    .description('known host keys: pending (offered, not trusted), trusted, replaced')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: { json?: boolean }) => {
      const out = stdoutOut();
      await withHostKeys(globals(), async (source) => {
        const keys = await source.list(name);
        if (options.json) return out.json(keys);
        if (keys.length === 0)
          return out.line(name === undefined ? 'no host keys yet' : `no keys for host ${name}`);
        out.table(
          ['HOST', 'STATUS', 'TYPE', 'FINGERPRINT', 'FIRST SEEN', 'TRUSTED BY', 'TRUSTED AT'],
          keys.map((k) => [
            k.host,
            k.status,
            k.keyType,
            k.fingerprint,
            k.firstSeenAt,
            k.trustedBy,
            k.trustedAt,
          ]),
        );
      });
    });

  hosts
    .command('trust-key <name>')
    .description('trust the key a host offered (new, or replacing its changed key)')
    .option('--fingerprint <SHA256:...>', 'the pending key to trust, as `hosts keys` shows it')
    .action(async (name: string, options: { fingerprint?: string }) => {
      const out = stdoutOut();
      await withHostKeys(globals(), async (source) => {
        if (options.fingerprint === undefined) {
          const pending = (await source.list(name)).filter((k) => k.status === 'pending');
          throw new UsageError(
            pending.length === 0
              ? `host ${name} has offered no key to trust: run a session on it first`
              : `compare the key with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), ` +
                  `then trust it with --fingerprint: ${pending
                    .map((k) => `${k.keyType} ${k.fingerprint}`)
                    .join(', ')}`,
          );
        }
        const key = await source.trust(name, options.fingerprint);
        out.line(`trusted ${key.keyType} ${key.fingerprint} for host ${name}`);
      });
    });
}
