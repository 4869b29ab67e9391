import { describe, expect, it } from 'vitest';
import { humanLogLine, humanLogStream } from './human-log-lines.js';
import { createLogger } from './logger.js';

describe('human log lines', () => {
  it('turn a pino JSON line into time, level, message and the fields that say something', () => {
    const line = JSON.stringify({
      level: 40,
      time: '2030-01-02T03:04:05.678Z',
      app: 'minke',
      pid: 7,
      hostname: 'box',
      host: '127.0.0.1',
      port: 1884,
      reason: 'two words',
      msg: 'embedded MQTT broker listening',
    });
    expect(humanLogLine(`${line}\n`)).toBe(
      '03:04:05 WARN  embedded MQTT broker listening host=127.0.0.1 port=1884 reason="two words"\n',
    );
  });

  it('show an error by its message and pass a line that is not JSON as it is', () => {
    const line = JSON.stringify({
      level: 50,
      time: '2030-01-02T03:04:05Z',
      err: { message: 'boom', stack: 'at x' },
      msg: 'failed',
    });
    expect(humanLogLine(line)).toBe('03:04:05 ERROR failed err="boom"\n');
    expect(humanLogLine('plain text')).toBe('plain text\n');
  });

  it('are what the logger writes through the human stream, secrets still censored', () => {
    let written = '';
    const logger = createLogger({ stream: humanLogStream({ write: (text) => (written += text) }) });
    logger.info({ runId: 7, password: 'hunter2' }, 'run started');
    expect(written).toMatch(/^\d\d:\d\d:\d\d INFO {2}run started runId=7 password=\[redacted\]\n$/);
  });
});
