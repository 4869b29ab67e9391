/**
 * Tells this process's scheduler that a job changed here, so it reads the schedules at once
 * instead of at its next periodic read (which also catches changes other processes made).
 */
const listeners = new Set<() => void>();

export function onScheduleChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function scheduleChanged(): void {
  for (const listener of listeners) listener();
}
