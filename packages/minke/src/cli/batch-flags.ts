import { batchPolicy, type BatchPolicy } from '@minke/contract/api/rollout';
import { UsageError } from './cli-error.js';

/** The rolling-run flags of `minke run`, as typed. */
export interface BatchFlags {
  batch?: string;
  maxFail?: string;
  batchPause?: string;
}

/**
 * `--batch 10% --max-fail 5% --batch-pause 30` as a batch policy (undefined without `--batch`).
 * A count is a whole number, a share ends in `%`; a mistake names the flag and what it expects.
 *
 * @example batchPolicyOf({ batch: '25%', maxFail: '2' }) // { size: '25%', maxFail: 2 }
 */
export function batchPolicyOf(flags: BatchFlags): BatchPolicy | undefined {
  if (flags.batch === undefined) {
    if (flags.maxFail !== undefined || flags.batchPause !== undefined)
      throw new UsageError('--max-fail and --batch-pause need --batch (the batch size)');
    return undefined;
  }
  const policy = {
    size: amount(flags.batch, '--batch'),
    ...(flags.maxFail === undefined ? {} : { maxFail: amount(flags.maxFail, '--max-fail') }),
    ...(flags.batchPause === undefined
      ? {}
      : { pauseSeconds: whole(flags.batchPause, '--batch-pause') }),
  };
  const parsed = batchPolicy.safeParse(policy);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = { size: '--batch', maxFail: '--max-fail', pauseSeconds: '--batch-pause' }[
      String(issue?.path[0]) as 'size'
    ];
    throw new UsageError(`${flag ?? '--batch'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function amount(text: string, flag: string): number | string {
  if (/^\d+$/.test(text)) return Number(text);
  if (/^\d{1,3}(\.\d+)?%$/.test(text)) return text;
  throw new UsageError(`${flag} "${text}": expected a count (5) or a percentage (10%)`);
}

function whole(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} "${text}": expected whole seconds`);
  return Number(text);
}
