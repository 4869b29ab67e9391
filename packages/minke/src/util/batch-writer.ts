/**
 * Writes asked for by many callers at about the same moment, made as one statement: the rows
 * given during one turn of the event loop are written together at its end. Each caller's promise
 * settles when its own row is written (committed, outside a transaction), as a write of its own
 * would: nothing is held back for later, so a crash loses no more than it would have. When the
 * shared statement fails, each row is written alone, so that one bad row fails its own caller only.
 *
 * @example
 *   const messages = new BatchWriter((rows) => insertMany(rows), (row) => insertOne(row));
 *   await messages.write(row);
 */
export class BatchWriter<T, R = void> {
  private pending: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] =
    [];
  private scheduled = false;

  /** `writeMany` returns one result per item, in order; it gets at most `maxItems` at a time. */
  constructor(
    private readonly writeMany: (items: readonly T[]) => Promise<readonly R[]>,
    private readonly writeOne: (item: T) => Promise<R>,
    private readonly maxItems = 100,
  ) {}

  write(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    for (let start = 0; start < batch.length; start += this.maxItems) {
      const chunk = batch.slice(start, start + this.maxItems);
      if (chunk.length === 1) {
        const [only] = chunk;
        if (only) this.writeOne(only.item).then(only.resolve, only.reject);
        continue;
      }
      this.writeMany(chunk.map((entry) => entry.item)).then(
        (results) => chunk.forEach((entry, index) => entry.resolve(results[index] as R)),
        () => {
          for (const entry of chunk) this.writeOne(entry.item).then(entry.resolve, entry.reject);
        },
      );
    }
  }
}
