import { useState } from 'react';
import { useNotify } from 'react-admin';

/**
 * A request a button starts: `busy` while it goes (the button is disabled, so a second click does
 * not send it twice), and its failure said in an error notification. `run` resolves to whether
 * the action went through, for a dialog that closes only then.
 */
export function useBusyAction() {
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    try {
      await action();
      return true;
    } catch (error) {
      notify(error instanceof Error ? error.message : String(error), { type: 'error' });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, run };
}
