import { useEffect, useState, type DependencyList } from 'react';

export interface Loaded<T> {
  /** What `load` last resolved to; kept while it loads again, so a page does not blink. */
  value: T | undefined;
  /** The message of the last failure (cleared by the next success). */
  error: string | undefined;
}

/**
 * What `load()` resolves to, loaded again whenever `deps` change; nothing while `load` is null.
 * A reply that arrives after the component went away, or after `deps` changed, is dropped: the
 * one place that guards a component's state against a late promise.
 */
export function useLoaded<T>(load: (() => Promise<T>) | null, deps: DependencyList): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ value: undefined, error: undefined });
  useEffect(() => {
    if (load === null) return;
    let live = true;
    load().then(
      (value) => live && setLoaded({ value, error: undefined }),
      (error: unknown) =>
        live && setLoaded((last) => ({ value: last.value, error: (error as Error).message })),
    );
    return () => {
      live = false;
    };
    // `deps` say when to load again, as for useEffect: `load` is a new function every render
  }, deps);
  return loaded;
}
