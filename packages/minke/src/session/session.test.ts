import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runSessionLocally } from '../../test-support/session-harness.js';
import { SessionError } from '../errors.js';
import { buildModelRegistry } from '../model/model-registry.js';
import { defineModel } from '../model/define-model.js';
import { f } from '../model/fields.js';
import {
  CommandChainSession,
  CommandFormSession,
  SessionChain,
  SingleCommandSession,
} from './builtin-sessions.js';
import { formatCommand } from './command-template.js';
import { Session } from './session.js';
import { buildSessionRegistry } from './session-registry.js';

class Echo extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'printf "%s\\n" {message}';
}
class InfoCommand extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'echo info';
}
class WarningCommand extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'echo warning >&2';
}
class ErrorCommand extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'echo error; exit 3';
}

describe('command templates', () => {
  it('takes form data first, then the object, and quotes every value', () => {
    expect(formatCommand('ls {path} {n}', { path: 'a b' }, { path: 'ignored', n: 3 })).toBe(
      "ls 'a b' 3",
    );
    expect(formatCommand('echo {v}', { v: "it's $(rm -rf /); `x`" }, {})).toBe(
      `echo 'it'\\''s $(rm -rf /); \`x\`'`,
    );
    expect(formatCommand('echo {v}', { v: null }, {})).toBe("echo ''");
    expect(formatCommand("awk '{{print $1}}' {file}", {}, { file: '/etc/hosts' })).toBe(
      "awk '{print $1}' /etc/hosts",
    );
  });

  it('refuses unknown and malformed placeholders as an error of the session', () => {
    expect(() => formatCommand('echo {nope}', {}, { id: 1 })).toThrow(SessionError);
    expect(() => formatCommand('echo {nope}', {}, {})).toThrow('unknown placeholder {nope}');
    expect(() => formatCommand('echo {}', {}, {})).toThrow('"{}" is not a placeholder');
    expect(() => formatCommand('echo {a', {}, {})).toThrow('is never closed');
    expect(() => formatCommand('echo a}', {}, {})).toThrow('a lone "}"');
  });
});

describe('sessions on the local transport', () => {
  it('xrun records the command, a message and the status', async () => {
    const trace = await runSessionLocally(Echo, {
      data: { message: 'hello wörld; echo injected' },
    });
    expect(trace.error).toBeUndefined();
    expect(trace.commands).toHaveLength(1);
    expect(trace.commands[0]?.stdout).toBe('hello wörld; echo injected\n');
    expect(trace.messages[0]?.text).toMatch(
      /^code\[0\]\s+printf "%s\\n" 'hello wörld; echo injected'\nstdout:\nhello wörld; echo injected$/,
    );
    expect(trace.session.status).toBe('success');
  });

  it.each([
    [InfoCommand, 'success', 'info'],
    [WarningCommand, 'warning', 'warning'],
    [ErrorCommand, 'error', 'error'],
  ])('a command gives its status: %o', async (cls, status, level) => {
    const trace = await runSessionLocally(cls);
    expect(trace.session.status).toBe(status);
    expect(trace.messages[0]?.level).toBe(level);
  });

  it('chains commands and stops at a break state', async () => {
    class Chain extends CommandChainSession {
      static override workOn = ['Host'];
      static override commands = ['echo one', 'exit 1', 'echo never'];
    }
    const trace = await runSessionLocally(Chain);
    expect(trace.commands.map((c) => c.command)).toEqual(['echo one', 'exit 1']);
    expect(trace.session.status).toBe('error');
  });

  it('chains sessions with a shared status and messages (as the original test_06)', async () => {
    class DefaultBreak extends SessionChain {
      static override workOn = ['Host'];
      static override sessions = [InfoCommand, WarningCommand, ErrorCommand];
    }
    class BreakOnWarning extends DefaultBreak {
      static override breakStates = ['warning' as const, 'error' as const];
    }
    class BreakOnSuccess extends DefaultBreak {
      static override breakStates = ['success' as const, 'warning' as const, 'error' as const];
    }
    const all = await runSessionLocally(DefaultBreak);
    expect([all.session.status, all.messages.length]).toEqual(['error', 7]);
    const warning = await runSessionLocally(BreakOnWarning);
    expect([warning.session.status, warning.messages.length]).toEqual(['warning', 5]);
    const success = await runSessionLocally(BreakOnSuccess);
    expect([success.session.status, success.messages.length]).toEqual(['success', 3]);
  });

  it('runs a command form as typed', async () => {
    class RunCommand extends CommandFormSession {
      static override workOn = ['Host'];
    }
    const trace = await runSessionLocally(RunCommand, { data: { cmd: 'echo a | tr a b' } });
    expect(trace.commands[0]?.stdout).toBe('b\n');
  });

  it('updateField stores stdout, a regex group, or empties the field with an error message', async () => {
    class Update extends Session {
      static override workOn = ['Host'];
      override async process() {
        await this.updateField('os', 'printf "foobär\\n"');
        await this.updateField('kernel', 'echo "Linux 6.1.0-18-amd64 x86_64"', /Linux (\S+)/);
        await this.updateField('cores', 'echo nothing', /(\d+) cores/);
      }
    }
    const trace = await runSessionLocally(Update, {
      obj: { id: 1, os: null, kernel: null, cores: 4 },
    });
    expect(trace.error).toBeUndefined();
    const session = trace.session;
    expect(session.obj).toMatchObject({ os: 'foobär', kernel: '6.1.0-18-amd64', cores: null });
    expect(session.status).toBe('warning');
    expect(trace.messages.map((m) => m.level)).toEqual(['error']);
  });

  it('setStatus only raises unless told otherwise, and refuses unknown states', async () => {
    class Statuses extends Session {
      static override workOn = ['Host'];
      override process() {
        this.setStatus('warning');
        this.setStatus(true);
        return Promise.resolve();
      }
    }
    const trace = await runSessionLocally(Statuses);
    expect(trace.session.status).toBe('warning');
    trace.session.setStatus('success', { update: false });
    expect(trace.session.status).toBe('success');
    expect(() => trace.session.setStatus('great' as never)).toThrow(
      'a session status must be one of success, warning, error',
    );
  });
});

describe('session registry', () => {
  const Server = defineModel('Server', { fields: { host: f.ref('Host') }, hostLookup: 'host' });
  const models = buildModelRegistry([Server]);
  const form = z.object({ lines: z.number().int().default(10) });

  it('registers concrete sessions with derived names and run permissions', () => {
    class ServerInfo extends Session<typeof form> {
      static override workOn = [Server, 'Host'];
      static override form = form;
      static override group = 'Info';
      static override timeoutMs = 90_000;
      override process() {
        const lines: number = this.data.lines;
        return Promise.resolve(void lines);
      }
    }
    class Custom extends ServerInfo {
      static override verboseName = 'Custom name';
      static override autoPermission = false;
      static override permissions = ['change_server'];
    }
    const registry = buildSessionRegistry([ServerInfo, Custom, SingleCommandSession], models);
    expect([...registry.sessions.keys()]).toEqual(['ServerInfo', 'Custom']);
    expect(registry.get('ServerInfo')).toMatchObject({
      verboseName: 'Server info',
      models: ['Server', 'Host'],
      permissions: ['run_server_info'],
      group: 'Info',
      timeoutMs: 90_000,
    });
    expect(registry.get('Custom')).toMatchObject({
      verboseName: 'Custom name',
      permissions: ['change_server'],
      timeoutMs: 90_000, // inherited
    });
    expect(registry.forModel('Server').map((s) => s.name)).toEqual(['ServerInfo', 'Custom']);
    expect(() => registry.get('Nope')).toThrow('unknown session "Nope"');
  });

  it('stops start-up with a message naming the session', () => {
    class NoModels extends Session {
      override process() {
        return Promise.resolve();
      }
    }
    class WrongModel extends NoModels {
      static override workOn = ['Drupal'];
    }
    class NoCommand extends SingleCommandSession {
      static override workOn = ['Host'];
    }
    class NoCommands extends CommandChainSession {
      static override workOn = ['Host'];
    }
    class NoSessions extends SessionChain {
      static override workOn = ['Host'];
    }
    class Twice extends SingleCommandSession {
      static override workOn = ['Host'];
      static override command = 'true';
    }
    class ZeroLimit extends Twice {
      static override timeoutMs = 0;
    }
    class SecondsLimit extends Twice {
      static override timeoutMs = 1.5;
    }
    class MonthLimit extends Twice {
      static override timeoutMs = 30 * 24 * 3600_000;
    }
    class ChainOfZeroLimit extends SessionChain {
      static override workOn = ['Host'];
      static override sessions = [Twice, ZeroLimit];
    }
    const cases: [unknown[], string][] = [
      [
        [ChainOfZeroLimit],
        "session ChainOfZeroLimit couldn't be registered: sessions[1] (ZeroLimit): timeoutMs must be a whole number",
      ],
      [
        [ZeroLimit],
        "session ZeroLimit couldn't be registered: timeoutMs must be a whole number of milliseconds from 1 to 2147483647 (24.8 days; got 0)",
      ],
      [[SecondsLimit], 'got 1.5)'],
      // Node would fire a longer timer at once: a month's limit would end every session now.
      [[MonthLimit], '(24.8 days; got 2592000000)'],
      [[NoModels], "session NoModels couldn't be registered: workOn is empty"],
      [
        [WrongModel],
        "session WrongModel couldn't be registered: workOn names Drupal, which is not a model",
      ],
      [
        [NoCommand],
        "session NoCommand couldn't be registered: a SingleCommandSession needs a command",
      ],
      [[NoCommands], 'a CommandChainSession needs commands'],
      [[NoSessions], 'a SessionChain needs sessions'],
      [
        [Twice, Twice],
        "session Twice couldn't be registered: a session with that name was already registered",
      ],
      [[{}], 'sessions[0] is not a session class'],
    ];
    for (const [classes, message] of cases)
      expect(() => buildSessionRegistry(classes, models)).toThrow(message);
  });
});
