import { describe, expect, it } from 'vitest';
import type { Executor, RunPlan } from '../executor/executor.js';
import { executorAfter } from './executor-after.js';

/** An executor that only notes what it was handed, in order. */
function recordingExecutor(seen: string[]): Executor {
  return {
    takesRunTimeConnection: true,
    submit: (plan) => void seen.push(`submit ${plan.runId}`),
    stop: (recordId) => {
      seen.push(`stop ${recordId}`);
      return Promise.resolve('stopping' as never);
    },
    idle: () => Promise.resolve(void seen.push('idle')),
    close: () => Promise.resolve(void seen.push('close')),
  };
}

const plan = (runId: number) => ({ runId }) as unknown as RunPlan;

describe('executorAfter', () => {
  it('hands over no run before the first pass is over, then every run in order', async () => {
    const seen: string[] = [];
    let passOver!: () => void;
    const first = new Promise<void>((resolve) => (passOver = resolve));
    const executor = executorAfter(first, recordingExecutor(seen), () => seen.push('error'));
    executor.submit(plan(1));
    executor.submit(plan(2));
    const stopped = executor.stop(7);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([]);
    passOver();
    await stopped;
    await executor.idle();
    expect(seen).toEqual(['submit 1', 'submit 2', 'stop 7', 'idle']);
    expect(executor.takesRunTimeConnection).toBe(true);
  });

  it('reports a submit that throws and still hands over the next run', async () => {
    const seen: string[] = [];
    const inner = recordingExecutor(seen);
    const executor = executorAfter(
      Promise.resolve(),
      {
        ...inner,
        submit: (p) => {
          if (p.runId === 1) throw new Error('bad plan');
          inner.submit(p);
        },
      },
      (error) => seen.push(`error ${(error as Error).message}`),
    );
    executor.submit(plan(1));
    executor.submit(plan(2));
    await executor.close();
    expect(seen).toEqual(['error bad plan', 'submit 2', 'close']);
  });
});
