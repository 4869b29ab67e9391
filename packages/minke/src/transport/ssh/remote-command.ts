import { randomBytes } from 'node:crypto';
import { commandResult } from '../exec/command-result.js';
import { CommandOutput, type CollectedOutput } from '../exec/command-output.js';
import { commandScript, remoteWrapper } from '../exec/command-script.js';
import { KillTrigger } from '../exec/kill-trigger.js';
import { OutputScanner } from '../exec/output-scanner.js';
import { TransportError } from '../transport-error.js';
import type { CommandResult, ExecOptions, SudoOptions } from '../transport.js';
import { Announced } from './announced.js';
import { killRemoteGroup } from './remote-kill.js';
import { openExecChannel } from './exec-channel.js';
import type { SshClient } from './ssh-client.js';
import { SudoResponder } from './sudo-responder.js';

/** ExecOptions after the connection's defaults were applied. */
export interface RemoteCommandOptions extends Omit<ExecOptions, 'pty' | 'env'> {
  pty: boolean;
  env: Record<string, string>;
}

/** How long a killed command may take to go before its channel is closed anyway. */
const closeAfterKillMs = 5_000;
/** How long to wait for the server to confirm that close before giving the channel up. */
const abandonAfterCloseMs = 2_000;
/** How long a kill waits for the process group to be announced (it is the first output). */
const pgidWaitMs = 3_000;

/**
 * Runs one command on an open SSH connection and resolves with its result when its channel
 * closes. The command runs inside a wrapper that announces its process group first (see
 * `remoteWrapper`); a kill (abort or timeout) then ends that whole group through a second
 * channel, and with a pty also interrupts and finally hangs up the terminal, so nothing of the
 * command is left running on the host.
 */
export async function runRemoteCommand(
  client: SshClient,
  command: string,
  options: RemoteCommandOptions,
  target: string,
): Promise<CommandResult> {
  const nonce = randomBytes(8).toString('hex');
  const group = new Announced<number>();
  const sudoPrompt = `[minke-sudo-${nonce}]`;
  const wire = remoteWrapper(
    commandScript({ command, env: options.env, sudo: options.sudo, sudoPrompt }),
    `minke-pgid-${nonce}:`,
  );
  const startedAt = new Date();
  const { channel, exit: exitOf } = await openExecChannel(client, wire, options.pty, target);
  const sudo = new SudoResponder(channel, options.sudo?.password, options.pty);
  const markers = [
    {
      text: `minke-pgid-${nonce}:`,
      withValue: true,
      onMatch: (pid: string) => group.set(Number(pid)),
    },
    { text: sudoPrompt, onMatch: () => sudo.answer() },
  ];
  // sudo turns terminal echo off before it prompts, so the password should never come back;
  // should some program echo it anyway, it is cut from the output rather than stored.
  const password = options.sudo?.password;
  if (options.pty && password)
    markers.push({ text: password, withValue: false, onMatch: () => undefined });
  const scanner = () => new OutputScanner(markers);
  const output = new CommandOutput(
    { stdout: scanner(), stderr: scanner() },
    { onOutput: options.onOutput, keep: options.keepOutput, spill: options.outputSpill },
  );
  // While the output store is behind, the SSH window stays closed and the command waits.
  output.controlFlow({
    pause: () => {
      channel.pause();
      channel.stderr.pause();
    },
    resume: () => {
      channel.resume();
      channel.stderr.resume();
    },
  });
  // Without a pty nobody types into the command: end its input now (unless sudo will read the
  // password from it) so that a command reading stdin sees EOF instead of waiting forever.
  // A quick command may have closed its channel already (ssh2 ends it then): a second end()
  // would only make an ERR_STREAM_ALREADY_FINISHED that nobody reads, at a util.format's cost.
  const ended = (channel as { writableEnded?: boolean }).writableEnded === true;
  if (!options.pty && options.sudo?.password === undefined && !ended) channel.end();

  return new Promise<CommandResult>((resolve, reject) => {
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      if (done) return;
      done = true;
      trigger.dispose();
      timers.forEach(clearTimeout);
      void output.finish().then((text) => settle(text));
    };
    const settle = (text: CollectedOutput) => {
      const exit = exitOf();
      if (!exit && !trigger.fired) {
        reject(
          new TransportError('disconnected', target, 'connection lost while running a command'),
        );
        return;
      }
      const { killed, timedOut } = trigger;
      const signal = exit?.signal;
      resolve(
        commandResult({
          command,
          startedAt,
          exitCode: exit?.code ?? null,
          signal,
          output: text,
          pty: options.pty,
          killed,
          timedOut,
        }),
      );
    };
    // Last resorts, in order: close the channel (a pty hangs up), then stop waiting for it:
    // sshd confirms the close only once the command has exited.
    const giveUp = () => {
      if (done) return;
      timers.push(
        setTimeout(() => {
          channel.close();
          timers.push(setTimeout(finish, abandonAfterCloseMs));
        }, closeAfterKillMs),
      );
    };
    const trigger = new KillTrigger(options, () => {
      if (options.pty) channel.write('\x03'); // the terminal's interrupt, as a user would type it
      void killGroup(client, group, options.sudo, target).finally(giveUp);
    });
    channel.on('data', (data: Buffer) => output.push('stdout', data));
    channel.stderr.on('data', (data: Buffer) => output.push('stderr', data));
    channel.on('close', finish);
  });
}

async function killGroup(
  client: SshClient,
  group: Announced<number>,
  sudo: SudoOptions | undefined,
  target: string,
): Promise<void> {
  const pgid = await group.wait(pgidWaitMs);
  if (pgid === undefined) return;
  await killRemoteGroup(pgid, (script) =>
    runRemoteCommand(client, script, { pty: false, env: {}, sudo }, target),
  );
}
