#!/usr/bin/env node
// The `minke` command: runs the built CLI (npm run build makes dist/).
import('../dist/cli/main.js').then((cli) => cli.main(process.argv));
