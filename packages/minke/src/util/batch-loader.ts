/**
 * Reads asked for by many hosts at about the same moment, made as one read. A run starts its
 * hosts together (up to the executor's limit), and each asks for its host row, its groups'
 * configs and its trusted keys: one query per host and kind becomes one per burst. The keys asked
 * for during one turn of the event loop are read together at its end, so a value is as fresh as
 * one read on its own would have been (the read starts after it was asked for).
 *
 * @example
 *   const hosts = new BatchLoader((names) => readHostsByName(names));
 *   const web1 = await hosts.load('web1'); // undefined when there is no such row
 */
export class BatchLoader<K, V> {
  private pending = new Map<K, Waiter<V>[]>();
  private scheduled = false;

  /**
   * `readMany` answers for the keys it finds and leaves out those it does not; it gets at most
   * `maxKeys` keys at a time (a statement's bound-parameter limit).
   */
  constructor(
    private readonly readMany: (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>,
    private readonly maxKeys = 500,
  ) {}

  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    const keys = [...batch.keys()];
    for (let start = 0; start < keys.length; start += this.maxKeys) {
      const chunk = keys.slice(start, start + this.maxKeys);
      this.readMany(chunk).then(
        (found) => {
          for (const key of chunk)
            for (const waiter of batch.get(key) ?? []) waiter.resolve(found.get(key));
        },
        (error: unknown) => {
          for (const key of chunk) for (const waiter of batch.get(key) ?? []) waiter.reject(error);
        },
      );
    }
  }
}

interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (error: unknown) => void;
}
