import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { cliOperator } from '../cli-operator.js';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';
import { localOrRemote } from '../local-or-remote.js';
import { addListCommand } from '../list-command.js';
import type { CredentialsSource } from '../remote/remote-credentials.js';
import type { CredentialType } from '../../credentials/credential-secret.js';
import { readCredentialSecret } from './credentials-secret-input.js';

interface SecretFlags {
  type: string;
  fromFile?: string;
}

/**
 * The credentials of the local project (acting as this machine's operator), or with `--server`
 * those of a server, through its API as the token's user.
 */
const withCredentials = localOrRemote<CredentialsSource>({
  remote: async (api) => (await import('../remote/remote-credentials.js')).remoteCredentials(api),
  local: async (project) => {
    const { credentialStoreOf } = await import('../../credentials/credential-reader.js');
    const store = credentialStoreOf(project);
    return {
      list: () => store.list(),
      create: (name, secret) => store.create(name, secret, cliOperator()),
      replace: (name, secret) => store.replace(name, secret, cliOperator()),
      delete: (name) => store.delete(name),
    };
  },
});

function credentialType(type: string): CredentialType {
  if (type === 'ssh-key' || type === 'password') return type;
  throw new UsageError(`--type ${type}: expected ssh-key or password`);
}

export function registerCredentialCommands(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  const credentials = program
    .command('credentials')
    .description(
      "SSH keys and passwords kept encrypted for hosts to use ({ credential: NAME }); never shown back (with --server: that server's, as the token's user)",
    );
  const secretOptions = (command: Command) =>
    command
      .requiredOption('--type <type>', 'ssh-key or password')
      .option(
        '--from-file <file>',
        'read the key (or password) from this file (- for standard input); else MINKE_SECRET, else a prompt',
      );

  addListCommand(credentials, globals, {
    description: 'list credentials: name, type, fingerprint, who changed them and when',
    open: withCredentials,
    read: (source) => source.list(),
    items: (list) => list,
    columns: ['NAME', 'TYPE', 'FINGERPRINT', 'UPDATED', 'BY'],
    row: (c) => [c.name, c.type, c.fingerprint ?? '', c.updatedAt, c.updatedBy ?? ''],
  });

  /** Reads the secret (never from argv), then stores it under `name` as `how` says. */
  const storeSecret =
    (how: 'add' | 'replace') =>
    async (name: string, options: SecretFlags): Promise<void> => {
      const out = stdoutOut();
      const type = credentialType(options.type);
      // Where it goes is settled first (project, server, token): nobody types a secret for nothing.
      await withCredentials(globals(), async (source) => {
        const secret = await readCredentialSecret({
          type,
          ...(options.fromFile === undefined ? {} : { fromFile: options.fromFile }),
        });
        const saved =
          how === 'add' ? await source.create(name, secret) : await source.replace(name, secret);
        out.line(describe(how === 'add' ? 'added' : 'replaced', saved));
      });
    };

  secretOptions(
    credentials
      .command('add <name>')
      .description('store a new credential (the secret never goes on the command line)'),
  ).action(storeSecret('add'));

  secretOptions(
    credentials
      .command('replace <name>')
      .description('give a credential a new secret; hosts using it get it at their next use'),
  ).action(storeSecret('replace'));

  credentials
    .command('delete <name>')
    .description('delete a credential (hosts that name it fail to connect until changed)')
    .action(async (name: string) => {
      const out = stdoutOut();
      await withCredentials(globals(), async (source) => {
        const deleted = await source.delete(name);
        out.line(describe('deleted', deleted));
      });
    });

  credentials
    .command('rotate-key')
    .description(
      're-encrypt every credential under a new secret key; the old key file is kept as a backup',
    )
    .action(async () => {
      const out = stdoutOut();
      const { credentialStoreOf } = await import('../../credentials/credential-reader.js');
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        const done = await credentialStoreOf(project).rotateKey();
        out.line(
          `re-encrypted ${done.count} credential(s) under key ${done.newKeyId} (was ${done.oldKeyId})`,
        );
        out.line(
          `the old key is kept in ${done.backup}: delete it once every server and worker uses the new key`,
        );
      });
    });
}

function describe(
  what: string,
  c: { name: string; type: string; fingerprint: string | null },
): string {
  return `${what} credential ${c.name} (${c.type}${c.fingerprint ? ` ${c.fingerprint}` : ''})`;
}
