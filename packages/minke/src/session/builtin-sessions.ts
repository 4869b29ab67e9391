import { z } from 'zod';
import { Session, type SessionClass } from './session.js';
import type { SessionResult } from './status.js';

/**
 * Runs one command (a template: `{field}` values are shell-quoted) with `xrun`.
 *
 * @example
 *   class DiskUsage extends SingleCommandSession {
 *     static override workOn = ['Host'];
 *     static override command = 'df -h {path}';
 *   }
 */
export abstract class SingleCommandSession extends Session {
  static override abstract = true;
  static override readonly sessionKind = 'single-command';
  static command?: string;

  override async process(): Promise<void> {
    await this.xrun((this.constructor as typeof SingleCommandSession).command ?? '');
  }
}

export const commandForm = z.object({
  cmd: z
    .string()
    .min(1, 'enter a command')
    .transform((text) => text.replace(/\r\n?/g, '\n'))
    .describe('Shell command'),
});

/**
 * Asks for a command in a form and runs it as typed. It runs arbitrary commands, so give its run
 * permission only to those who may.
 */
export abstract class CommandFormSession extends Session<typeof commandForm> {
  static override abstract = true;
  static override readonly sessionKind = 'command-form';
  static override form: z.ZodType = commandForm;

  override async process(): Promise<void> {
    // The command is the user's own text: run as typed, not as a template.
    const result = await this.run(this.data.cmd);
    await this.addMsg(result);
    const { commandStatus } = await import('../transport/transport.js');
    this.setStatus(commandStatus(result));
  }
}

/** Runs commands one after another; stops after the first whose status is in `breakStates`. */
export abstract class CommandChainSession extends Session {
  static override abstract = true;
  static override readonly sessionKind = 'command-chain';
  static commands: readonly string[] = [];
  static breakStates: readonly SessionResult[] = ['error'];

  override async process(): Promise<void> {
    const { commands, breakStates } = this.constructor as typeof CommandChainSession;
    const { commandStatus } = await import('../transport/transport.js');
    for (const command of commands) {
      const result = await this.xrun(command);
      if (breakStates.includes(commandStatus(result))) break;
    }
  }
}

/**
 * Runs other sessions on the same object, sharing this session's connection, status and
 * messages; stops when the shared status reaches one of `breakStates`. Only this session's form
 * and connection settings apply.
 */
export abstract class SessionChain extends Session {
  static override abstract = true;
  static override readonly sessionKind = 'session-chain';
  static sessions: readonly SessionClass[] = [];
  static breakStates: readonly SessionResult[] = ['error'];

  override async process(): Promise<void> {
    const { sessions, breakStates } = this.constructor as typeof SessionChain;
    const { verboseNameOf } = await import('./session-names.js');
    const { ownTimeLimit, timedOutText } = await import('./own-time-limit.js');
    for (const SubSession of sessions) {
      const name = verboseNameOf(SubSession);
      await this.addMsg(`Run ${name}`, 'info');
      const { timeoutMs } = SubSession;
      // A chained session's own limit bounds it alone; the chain's (or the run's) bounds them all.
      const limit = timeoutMs === undefined ? undefined : ownTimeLimit(this.context, timeoutMs);
      const sub = new (SubSession as unknown as new (context: Session['context']) => Session)(
        limit?.context ?? this.context,
      );
      sub.setStatus(this.status ?? 'success', { update: false });
      try {
        await sub.process();
      } catch (error) {
        if (!limit?.passed) throw error;
      } finally {
        limit?.clear();
      }
      if (limit?.passed) {
        await this.addMsg(timedOutText(`${name}'s`, limit.ms), 'error');
        sub.setStatus('error', { update: false });
      }
      if (sub.status) this.setStatus(sub.status);
      if (this.status && breakStates.includes(this.status)) {
        await this.addMsg(`${name} finished with status ${this.status}`, 'error');
        break;
      }
    }
  }
}
