import type { PolicyTransition } from '@minke/contract';
import type { Project } from '../operations/project.js';

/** Told when hosts start failing a policy (after the change is stored). */
export type PolicyFailingListener = (transitions: readonly PolicyTransition[]) => void;

const listeners = new WeakMap<Project, Set<PolicyFailingListener>>();

/**
 * The hook "a policy started failing on a host": notification rules (and tests) listen here.
 * Returns the function that stops listening.
 *
 * @example
 *   const stop = onPolicyStartedFailing(project, (changes) => notify(changes));
 */
export function onPolicyStartedFailing(
  project: Project,
  listener: PolicyFailingListener,
): () => void {
  const set = listeners.get(project) ?? new Set();
  set.add(listener);
  listeners.set(project, set);
  return () => set.delete(listener);
}

/** Tells the listeners of the transitions to failing among `changed`; a throwing listener is skipped. */
export function announcePolicyChanges(
  project: Project,
  changed: readonly PolicyTransition[],
  onListenerError: (error: unknown) => void = () => undefined,
): void {
  const failing = changed.filter((change) => !change.passing);
  if (failing.length === 0) return;
  for (const listener of listeners.get(project) ?? []) {
    try {
      listener(failing);
    } catch (error) {
      onListenerError(error);
    }
  }
}
