import type { z } from 'zod';
import type { RecordValues } from '../src/model/record-codec.js';
import type { SessionMessage } from '../src/session/messages.js';
import type { Session } from '../src/session/session.js';
import type { SessionContext } from '../src/session/session-context.js';
import { LocalTransport } from '../src/transport/local/local-transport.js';
import type { CommandResult } from '../src/transport/transport.js';

/** What a session left behind when run by `runSessionLocally`. */
export interface SessionTrace {
  session: Session<z.ZodType>;
  commands: CommandResult[];
  messages: SessionMessage[];
  obj: RecordValues;
  error?: unknown;
}

/**
 * Runs a session class against the real local transport (commands really run on this machine),
 * recording commands and messages in memory: the session API without the executor.
 */
export async function runSessionLocally(
  SessionClass: new (context: SessionContext) => Session<z.ZodType>,
  options: { obj?: RecordValues; data?: Record<string, unknown> } = {},
): Promise<SessionTrace> {
  const transport = new LocalTransport({ commandTimeoutMs: 20_000 });
  const commands: CommandResult[] = [];
  const messages: SessionMessage[] = [];
  const obj: RecordValues = { ...(options.obj ?? { id: 1 }) };
  const context: SessionContext = {
    obj,
    data: options.data ?? {},
    connection: transport,
    recorder: {
      command: (result) => {
        commands.push(result);
        return Promise.resolve();
      },
      message: (message) => {
        messages.push(message);
        return Promise.resolve();
      },
    },
    stopSignal: new AbortController().signal,
    killSignal: new AbortController().signal,
    updateObject: (values) => Promise.resolve({ ...obj, ...values }),
  };
  const session = new SessionClass(context);
  const trace: SessionTrace = { session, commands, messages, obj };
  try {
    await session.process();
  } catch (error) {
    trace.error = error;
  } finally {
    await transport.close();
  }
  return trace;
}
