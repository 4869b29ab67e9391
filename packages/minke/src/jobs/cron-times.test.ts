import { describe, expect, it } from 'vitest';
import { nextTimes, parseCron, ticksBetween } from './cron-times.js';

describe('cron times', () => {
  it('reads an expression in its time zone, across a daylight-saving change', () => {
    // 02:30 in Berlin: 01:30 UTC in winter, 00:30 UTC in summer (the change is on 29 March 2026).
    const times = nextTimes(
      { cron: '30 2 * * *', timezone: 'Europe/Berlin', endAt: null },
      5,
      new Date('2026-03-27T12:00:00Z'),
    );
    expect(times).toEqual([
      '2026-03-28T01:30:00.000Z',
      // 02:30 does not exist on 29 March in Berlin: croner runs it at the shifted instant.
      expect.stringMatching(/^2026-03-29T0[01]:\d\d:00\.000Z$/),
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
      '2026-04-01T00:30:00.000Z',
    ]);
  });

  it('stops at the end date and takes six fields with seconds first', () => {
    const spec = {
      cron: '*/15 * * * * *',
      timezone: 'UTC',
      endAt: '2026-01-01T00:01:00.000Z',
    };
    expect(nextTimes(spec, 10, new Date('2026-01-01T00:00:00Z'))).toEqual([
      '2026-01-01T00:00:15.000Z',
      '2026-01-01T00:00:30.000Z',
      '2026-01-01T00:00:45.000Z',
    ]);
  });

  it('counts missed ticks between two times, bounded', () => {
    const daily = { cron: '0 3 * * *', timezone: 'UTC', endAt: null };
    expect(
      ticksBetween(daily, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-04T02:00:00Z')),
    ).toEqual({ count: 3, newest: new Date('2026-01-03T03:00:00Z'), capped: false });
    const everySecond = { cron: '* * * * * *', timezone: 'UTC', endAt: null };
    const month = ticksBetween(
      everySecond,
      new Date('2026-01-01T00:00:00Z'),
      new Date('2026-02-01T00:00:00Z'),
    );
    expect(month).toMatchObject({ count: 1000, capped: true });
    // The bound is inclusive: the newest is the tick at `until` itself.
    expect(month.newest?.toISOString()).toBe('2026-02-01T00:00:00.000Z');
  });

  it('says what is wrong with an expression, a zone or an end date', () => {
    expect(() => parseCron({ cron: '61 * * * *', timezone: 'UTC', endAt: null })).toThrow(
      'cron expression "61 * * * *": CronPattern: Invalid value for minute: 61',
    );
    expect(() => parseCron({ cron: '* * * * *', timezone: 'Mars/Olympus', endAt: null })).toThrow(
      'time zone "Mars/Olympus": not an IANA time zone such as Europe/Berlin',
    );
    expect(() => parseCron({ cron: '* * * * *', timezone: 'UTC', endAt: 'soon' })).toThrow(
      'end date "soon": expected an ISO 8601 date and time',
    );
  });
});
