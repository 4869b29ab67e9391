import { Fragment, type ReactNode } from 'react';
import { useParams } from 'react-router-dom';

/**
 * A page of its own for each address: going from one object's page to another's (a job, a
 * policy, a node) starts the page afresh. Without it the router keeps the page mounted, so it
 * showed the last object's reply while the next one loaded, and kept its opened panels.
 */
export function PagePerAddress({ children }: { children: ReactNode }) {
  // Another key for another address: React unmounts the old page and mounts a new one.
  return <Fragment key={JSON.stringify(useParams())}>{children}</Fragment>;
}
