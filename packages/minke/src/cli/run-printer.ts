import { styleText } from 'node:util';
import { isStoppedState } from '@minke/contract/run-summary';
import type { DeliveredEvent, RunEventOf, RunSummary } from '../events/run-events.js';
import type { SessionResult } from '../session/status.js';
import type { Out } from './output.js';
import { summaryCounts } from './run-outcome.js';

const outcomeColour: Record<
  SessionResult | 'stopped',
  'bgGreen' | 'bgYellow' | 'bgRed' | 'bgGray'
> = {
  success: 'bgGreen',
  warning: 'bgYellow',
  error: 'bgRed',
  stopped: 'bgGray',
};
const levelColour = { info: 'green', warning: 'yellow', error: 'red' } as const;

/**
 * Prints a run as it goes: a status line per object as it finishes, its messages underneath, a
 * progress line while work remains (on a terminal only), then a summary.
 */
export class RunPrinter {
  private readonly messages = new Map<
    number,
    { level: 'info' | 'warning' | 'error'; text: string }[]
  >();
  private progressShown = false;
  private finished = 0;

  constructor(
    private readonly out: Out,
    private readonly stream: NodeJS.WriteStream,
    private readonly total: number,
  ) {}

  handle(event: DeliveredEvent): void {
    if (event.type === 'message.added') {
      const list = this.messages.get(event.recordId) ?? [];
      list.push({ level: event.level, text: event.text });
      this.messages.set(event.recordId, list);
    } else if (event.type === 'session.finished') {
      this.clearProgress();
      this.printFinished(event);
      this.finished++;
      this.showProgress();
    }
  }

  /** Forgets the messages gathered for a record (they are about to be handed over again, whole). */
  discardMessages(recordId: number): void {
    this.messages.delete(recordId);
  }

  summary(summary: RunSummary): void {
    this.clearProgress();
    this.out.line(`${summary.all} session(s): ${summaryCounts(summary)}`);
  }

  private printFinished(event: RunEventOf<'session.finished'>): void {
    // stopped or canceled: a grey STOPPED, whatever result the record carries (not a failure)
    const outcome = isStoppedState(event.processState) ? 'stopped' : (event.result ?? 'error');
    const label = outcome.toUpperCase().padEnd(7);
    const head = this.out.color
      ? styleText(outcomeColour[outcome], label, { validateStream: false })
      : label;
    const seconds =
      event.durationMs === null ? '' : ` in ${(event.durationMs / 1000).toFixed(1)} s`;
    this.out.line(
      `${head} ${event.objectLabel} [${event.hostName ?? 'no host'}] ${event.processState}${seconds}`,
    );
    for (const message of this.messages.get(event.recordId) ?? []) {
      for (const line of message.text.split('\n')) {
        const level = message.level.padEnd(7);
        const prefix = this.out.color
          ? styleText(levelColour[message.level], level, { validateStream: false })
          : level;
        this.out.line(`  ${prefix}: ${line}`);
      }
    }
    this.messages.delete(event.recordId);
  }

  private showProgress(): void {
    if (!this.stream.isTTY || this.finished >= this.total) return;
    this.stream.write(
      `… ${this.finished}/${this.total} done, ${this.total - this.finished} to go (Ctrl-C stops, twice kills)`,
    );
    this.progressShown = true;
  }

  private clearProgress(): void {
    if (!this.progressShown) return;
    this.stream.write('\r\u001b[2K');
    this.progressShown = false;
  }
}
