/**
 * A transport's work in flight: each command or transfer gets a kill signal that also fires when
 * the transport closes, and `abortAll` (from `close()`) kills them all and waits until they have
 * ended, so nothing keeps running on the host after a close.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();
  private closing = new AbortController();

  /** The caller's kill signal, also aborted by `abortAll`. */
  signalFor(options: { killSignal?: AbortSignal | undefined }): AbortSignal {
    return options.killSignal
      ? AbortSignal.any([options.killSignal, this.closing.signal])
      : this.closing.signal;
  }

  /** Keeps `work` in the set `abortAll` waits for. */
  async track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    try {
      return await work;
    } finally {
      this.running.delete(work);
    }
  }

  /** Kills what runs and waits for it; later work gets a fresh signal (a transport reopens). */
  async abortAll(): Promise<void> {
    const closing = this.closing;
    this.closing = new AbortController();
    closing.abort();
    await Promise.allSettled([...this.running]);
  }
}
