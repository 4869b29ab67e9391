#!/usr/bin/env node
// The `minke` command: runs the CLI bundle, dist/cli-bundle/ (`npm run build` makes it from the
// TypeScript build in dist/; scripts/bundle-cli.js says why a bundle).
import { statSync } from 'node:fs';

const bundle = new URL('../dist/cli-bundle/main.js', import.meta.url);

function modifiedAt(relativePath) {
  try {
    return statSync(new URL(relativePath, import.meta.url)).mtimeMs;
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

if (bundleIsStale()) {
  const script = new URL('../scripts/bundle-cli.js', import.meta.url);
  if (modifiedAt(script.href) === undefined) {
    process.stderr.write('minke: error: the CLI bundle is missing; run `npm run build`\n');
    process.exit(1);
  }
  const { bundleCli } = await import(script.href);
  await bundleCli(bundleIsStale);
}
// With MINKE_DEBUG=1 stack traces are printed: the bundle's source maps (read only then, before
// its first module loads) give them the lines of Minke's own files instead of the bundle's.
if (process.env.MINKE_DEBUG) process.setSourceMapsEnabled(true);
const cli = await import(bundle.href);
await cli.main(process.argv);
