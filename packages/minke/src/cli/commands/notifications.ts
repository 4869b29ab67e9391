import type { DeliveryState } from '@minke/contract';
import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';
import { remoteTarget } from '../remote/remote-target.js';
import { addListCommand } from '../list-command.js';
import { addNewestFirstPageFlags, newestFirstWindowOf, type PageFlags } from '../page-flags.js';
import type { NotificationSource } from '../../notifications/local-notifications.js';
import { parseCount } from '../count-flags.js';

/**
 * The contract's delivery states, written out: importing them would load the contract and zod at
 * every start of the CLI, for a help text. The types keep the two lists equal.
 */
const DELIVERY_STATES = [
  'pending',
  'retrying',
  'delivered',
  'failed',
] as const satisfies readonly DeliveryState[];
const allStatesListed: Exclude<DeliveryState, (typeof DELIVERY_STATES)[number]> extends never
  ? true
  : false = true;
void allStatesListed;

/** The project's notifications (its database), or with `--server` a server's, as the token's user. */
async function withNotifications<T>(
  globals: GlobalOptions,
  work: (source: NotificationSource, by: string) => Promise<T>,
): Promise<T> {
  const remote = remoteTarget(globals);
  if (remote) {
    const { ApiClient } = await import('../remote/api-client.js');
    const { remoteNotifications } = await import('../remote/remote-notifications.js');
    return work(remoteNotifications(new ApiClient(remote)), 'the token');
  }
  const { localNotifications } = await import('../../notifications/local-notifications.js');
  const { createLogger } = await import('../../logger.js');
  return withProject(globals, {}, (project) =>
    work(localNotifications(project, createLogger({ level: 'error' })), 'operator (CLI)'),
  );
}

interface DeliveriesOptions extends PageFlags {
  channel?: string;
  run?: string;
  state?: string;
  json?: boolean;
}

export function registerNotificationCommands(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  const notifications = program
    .command('notifications')
    .description('notification channels, test messages and the delivery log');

  addListCommand(notifications, globals, {
    description: 'the channels of minke.config.ts and the events global rules send them',
    open: withNotifications,
    read: (source) => source.channels(),
    items: (channels) => channels,
    empty: 'no notification channels (see docs/notifications.md)',
    columns: ['CHANNEL', 'KIND', 'TARGET', 'ON'],
    row: (c) => [c.name, c.kind, c.target, c.on.join(', ') || '-'],
  });

  notifications
    .command('test <channel>')
    .description(
      'send a test message to a channel now and say how it went (exit 1 if not delivered)',
    )
    .option('--json', 'print JSON')
    .action(async (channel: string, options: { json?: boolean }) => {
      const out = stdoutOut();
      await withNotifications(globals(), async (source, by) => {
        const delivery = await source.test(channel, by);
        if (options.json) out.json(delivery);
        else if (delivery.state === 'delivered')
          out.line(`delivered test ${delivery.id} to ${channel}`);
        else
          out.line(
            `test ${delivery.id} to ${channel} not delivered yet (${delivery.state}): ${delivery.lastError ?? 'no attempt yet'}`,
          );
        process.exitCode = delivery.state === 'delivered' ? 0 : 1;
      });
    });

  const deliveries = notifications
    .command('deliveries')
    .description('the delivery log, newest first: state, attempts, last error')
    .option('--channel <name>', "one channel's deliveries")
    .option('--run <id>', "one run's deliveries")
    .option('--state <state>', `one state: ${DELIVERY_STATES.join(', ')}`);
  addNewestFirstPageFlags(deliveries)
    .option('--json', 'print JSON')
    .action(async (options: DeliveriesOptions) => {
      const out = stdoutOut();
      if (
        options.state !== undefined &&
        !(DELIVERY_STATES as readonly string[]).includes(options.state)
      )
        throw new UsageError(
          `--state "${options.state}": expected one of ${DELIVERY_STATES.join(', ')}`,
        );
      const window = newestFirstWindowOf(options);
      const query = {
        channel: options.channel,
        run: options.run === undefined ? undefined : parseCount(options.run, '--run'),
        state: options.state as DeliveryState | undefined,
        ...window,
      };
      await withNotifications(globals(), async (source) => {
        const page = await source.deliveries(query);
        if (options.json) return out.json(page);
        if (page.items.length === 0) return out.line('no deliveries');
        out.table(
          ['ID', 'CREATED', 'CHANNEL', 'EVENT', 'RUN', 'STATE', 'ATTEMPTS', 'LAST ERROR'],
          page.items.map((d) => [
            d.id,
            d.createdAt,
            d.channel,
            d.event,
            d.runId ?? '-',
            d.state,
            d.attempts,
            d.lastError ?? '',
          ]),
        );
      });
    });
}
