import { describe, expect, it } from 'vitest';
import { createLineLogger } from './logger.js';

describe('createLineLogger', () => {
  it('writes an error logged as { err } with its type, message and stack on one line', () => {
    const lines: string[] = [];
    const logger = createLineLogger((line) => lines.push(line), 'info');
    logger.warn({ err: new RangeError('spool full'), node: 'n1' }, 'cannot write the result');
    logger.debug({ err: new Error('hidden') }, 'below the level');
    expect(lines).toHaveLength(1);
    const [line = ''] = lines;
    expect(line).toMatch(/^\S+ WARN cannot write the result \{.*\}\n$/);
    const fields = JSON.parse(line.slice(line.indexOf('{'))) as {
      err: { type: string; message: string; stack: string };
      node: string;
    };
    expect(fields.node).toBe('n1');
    expect(fields.err).toMatchObject({ type: 'RangeError', message: 'spool full' });
    expect(fields.err.stack).toMatch(/^RangeError: spool full\n\s+at /);
  });
});
