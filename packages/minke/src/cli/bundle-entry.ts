// The CLI bundle's one entry (scripts/bundle-cli.js): the command line, and the session thread of
// `minke start`, which runs the same bundle (bin/session-thread.js) so that both share one V8 code
// cache. The thread's code loads only in the thread.
export { main } from './main.js';

export async function sessionThreadMain(): Promise<void> {
  const thread = await import('../runtime/session-thread-main.js');
  await thread.sessionThreadMain();
}
