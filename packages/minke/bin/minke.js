#!/usr/bin/env node
// The `minke` command: runs the CLI bundle, dist/cli-bundle/ (`npm run build` makes it from the
// TypeScript build in dist/; scripts/bundle-cli.js says why a bundle, load-cli-bundle.js how it
// runs). The files of bin/ are CommonJS (bin/package.json): Node starts a CommonJS entry some
// 5 ms sooner than an ES module, and this one runs before every command.
'use strict';
const { statSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { cacheGroup, loadCliBundle } = require('./load-cli-bundle.js');

function modifiedAt(relativePath) {
  try {
    return statSync(join(__dirname, relativePath)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * In the repository, a TypeScript build newer than the bundle (`tsc -b` alone) would leave the
 * command running older code: the bundle is remade first. An installed package never changes.
 */
function bundleIsStale() {
  const builtAt = modifiedAt('../dist/cli-bundle/built-at');
  if (builtAt === undefined) return true;
  return [
    '../dist/.tsbuildinfo',
    '../../contract/dist/.tsbuildinfo',
    '../../protocol/dist/.tsbuildinfo',
  ]
    .map(modifiedAt)
    .some((compiledAt) => compiledAt !== undefined && compiledAt > builtAt);
}

async function run() {
  if (bundleIsStale()) {
    const script = join(__dirname, '../scripts/bundle-cli.js');
    if (modifiedAt('../scripts/bundle-cli.js') === undefined) {
      process.stderr.write('minke: error: the CLI bundle is missing; run `npm run build`\n');
      process.exit(1);
    }
    const { bundleCli } = await import(pathToFileURL(script).href);
    await bundleCli(bundleIsStale);
  }
  const cli = loadCliBundle(cacheGroup(process.argv.slice(2)));
  await cli.main(process.argv);
}

run().catch((error) => {
  // main() reports a command's own errors; this is the bundle failing to load or build.
  process.stderr.write(`minke: error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
