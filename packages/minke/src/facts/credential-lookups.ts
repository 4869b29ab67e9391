/** Looks up the stored values of many keys at once; a key missing from the map has none. */
export type LookupMany = (keys: string[]) => Promise<Map<string, string | undefined>>;

/** Keys per query: well under SQLite's bound-parameter limit. */
const CHUNK = 500;

/**
 * Gathers the credential look-ups asked for in one turn of the event loop into one query. After a
 * broker restart the whole fleet logs in within seconds, and the sockets read in one turn are
 * hundreds of logins: one query for them all instead of one each. Nothing is cached beyond the
 * turn, so a re-enrolment (a new credential) counts from the next login on.
 */
interface Waiter {
  resolve: (value: string | undefined) => void;
  reject: (error: unknown) => void;
}

export class CredentialLookups {
  private waiting = new Map<string, Waiter[]>();

  constructor(private readonly lookupMany: LookupMany) {}

  lookup(key: string): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) setImmediate(() => void this.flush());
      const waiters = this.waiting.get(key) ?? [];
      waiters.push({ resolve, reject });
      this.waiting.set(key, waiters);
    });
  }

  private async flush(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = new Map();
    const keys = [...waiting.keys()];
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK);
      const answer = await this.lookupMany(chunk).then(
        (found) => (key: string, waiter: Waiter) => waiter.resolve(found.get(key)),
        (error: unknown) => (_key: string, waiter: Waiter) => waiter.reject(error),
      );
      for (const key of chunk) for (const waiter of waiting.get(key) ?? []) answer(key, waiter);
    }
  }
}
