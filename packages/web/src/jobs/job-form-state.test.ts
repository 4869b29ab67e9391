import { describe, expect, it } from 'vitest';
import {
  batchErrors,
  batchPolicyOf,
  batchStateOf,
  emptyBatch,
  ruleErrors,
  scheduleStateOf,
  timeLimitStateOf,
} from './job-form-state.js';
import { timeLimitMsOf } from '../runs/time-limit.js';

describe('the job editor state', () => {
  it('turns batch fields into the API policy, counts as numbers and shares as text', () => {
    const state = { on: true, size: '25%', pause: '30', maxFail: '2' };
    expect(batchErrors(state)).toEqual({});
    expect(batchPolicyOf(state)).toEqual({ size: '25%', pauseSeconds: 30, maxFail: 2 });
    expect(batchPolicyOf({ ...state, pause: '', maxFail: '' })).toEqual({ size: '25%' });
    expect(batchPolicyOf({ ...state, on: false })).toBeNull();
    expect(batchStateOf({ size: 5, maxFail: '10%' })).toEqual({
      on: true,
      size: '5',
      pause: '',
      maxFail: '10%',
    });
    expect(batchStateOf(null)).toEqual(emptyBatch);
  });

  it('says what is wrong with each batch field', () => {
    const errors = batchErrors({ on: true, size: 'half', pause: '1.5', maxFail: '120%' });
    expect(errors).toEqual({
      size: 'a count, or a percentage such as "25%"',
      pause: 'whole seconds, e.g. 30',
      maxFail: 'a percentage is at most 100%',
    });
    expect(batchErrors({ on: true, size: '0', pause: '90000', maxFail: '' })).toEqual({
      size: 'a batch holds at least one object',
      pause: 'at most 86400 seconds (a day)',
    });
    expect(batchPolicyOf({ on: true, size: '', pause: '', maxFail: '' })).toBeUndefined();
    expect(batchErrors({ on: false, size: 'x', pause: 'y', maxFail: 'z' })).toEqual({});
  });

  it('checks rules: an event and a channel name each', () => {
    expect(
      ruleErrors([
        { on: ['run.failed'], channel: 'ops-hook' },
        { on: [], channel: 'ops-hook' },
        { on: ['run.finished'], channel: '' },
        { on: ['run.finished'], channel: 'Ops Hook' },
      ]),
    ).toEqual({
      1: 'pick at least one event',
      2: 'pick a channel',
      3: 'a channel name: lower-case letters, digits, ".", "_" and "-"',
    });
  });

  it('reads a saved schedule back, enabled or not', () => {
    const state = scheduleStateOf({
      cron: '*/5 * * * *',
      timezone: 'Europe/Berlin',
      endAt: null,
      enabled: false,
      missed: 'run-once',
      overlap: 'queue',
      lastTickAt: null,
      nextTimes: [],
    });
    expect(state).toMatchObject({ on: true, enabled: false, missed: 'run-once', endAt: '' });
    expect(scheduleStateOf(null).on).toBe(false);
  });

  it('reads a saved time limit back as the same limit, and saves an empty one as none', () => {
    for (const ms of [1, 1500, 90_000, 1_800_000, 7_200_000, 2_147_483_647])
      expect(timeLimitMsOf(timeLimitStateOf(ms))).toBe(ms);
    expect(timeLimitStateOf(1_800_000)).toBe('30 min');
    expect(timeLimitStateOf(null)).toBe('');
    expect(timeLimitMsOf('')).toBeNull();
    expect(timeLimitMsOf('2h')).toBe(7_200_000);
    expect(timeLimitMsOf('soon')).toBeUndefined();
  });
});
