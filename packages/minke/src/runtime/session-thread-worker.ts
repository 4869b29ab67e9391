// The entry module of `minke start`'s session thread where Minke runs from its TypeScript build
// rather than the CLI bundle (tests, `import 'minke'`); the bundle's is bin/session-thread.js.
import { sessionThreadMain } from './session-thread-main.js';

await sessionThreadMain();
