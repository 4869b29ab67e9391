/** A value that arrives once, later; waiting for it is bounded. */
export class Announced<T> {
  private value: T | undefined;
  private readonly waiters: Array<(value: T) => void> = [];

  set(value: T): void {
    if (this.value !== undefined) return;
    this.value = value;
    for (const waiter of this.waiters.splice(0)) waiter(value);
  }

  wait(timeoutMs: number): Promise<T | undefined> {
    if (this.value !== undefined) return Promise.resolve(this.value);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.waiters.push((value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  }
}
