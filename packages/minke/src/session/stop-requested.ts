/** Thrown inside a session when a stop was asked for; the executor ends it as stopped. */
export class StopRequested extends Error {
  constructor() {
    super('the session was stopped');
    this.name = 'StopRequested';
  }
}
