// The entry of `minke start`'s session thread under the CLI bundle: the same bundle as the
// command's (load-cli-bundle.js), whose code cache the thread then shares with every server.
// A failure rejects unhandled, which ends the thread with it: the server logs why.
'use strict';
const { loadCliBundle } = require('./load-cli-bundle.js');

void loadCliBundle('session-thread').sessionThreadMain();
