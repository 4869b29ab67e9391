/** A usage mistake on the command line: exit code 2 instead of 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
