/**
 * Which code may import which: the layers of docs/architecture.md ("Layers"), checked by
 * `npm run lint` (dependency-cruiser). No exceptions are listed here: a back-up import or a
 * cycle is fixed in the code, or the picture in docs/architecture.md changes first.
 *
 * packages/minke/src is read in layers, lowest first. A folder may import its own layer and the
 * layers below, never a layer above; folders never import each other round a loop. Tests and
 * test-support are not checked (a test may open a whole project to test a store).
 */

const src = '^packages/minke/src/';

/**
 * Lowest first. `folders` are folders of src/, `files` files at src/'s top. A folder not named in
 * any layer is a feature folder (jobs/, schedules/, policies/, ...) and sits in the operations
 * layer: business rules that use stores, runs and the executor, used by runtime/ and the edges.
 */
const layers = [
  {
    name: 'base',
    folders: ['util', 'metrics'],
    files: ['errors', 'logger', 'human-log-lines'],
  },
  { name: 'database', folders: ['store'] },
  {
    name: 'foundations',
    folders: ['model', 'query', 'transport', 'session', 'config', 'events', 'broker'],
  },
  {
    name: 'stores',
    folders: ['audit', 'users', 'auth', 'hosts', 'records', 'credentials', 'session-clears'],
  },
  { name: 'runs', folders: ['runs', 'rollout'] },
  { name: 'executor', folders: ['executor'] },
  { name: 'operations', folders: ['operations'], features: true },
  { name: 'runtime', folders: ['runtime'], files: ['index'] },
  { name: 'edges', folders: ['api', 'server', 'cli'] },
];

const named = layers.flatMap((layer) => layer.folders);

/** A path pattern for a layer's code (its feature folders too, for the operations layer). */
function layerPath(layer) {
  const parts = layer.folders.map((folder) => `${folder}/`);
  for (const file of layer.files ?? []) parts.push(`${file}\\.ts$`);
  if (layer.features) parts.push(`(?!(?:${named.join('|')})/)[^/]+/`);
  return `${src}(?:${parts.join('|')})`;
}

/** One rule per layer: nothing in it imports a layer above it. */
const noImportUp = layers.slice(0, -1).map((layer, index) => ({
  name: `no-import-up-from-${layer.name}`,
  comment: `${layer.name} imports only its own layer and the layers below it (docs/architecture.md)`,
  severity: 'error',
  from: { path: layerPath(layer) },
  to: { path: layers.slice(index + 1).map(layerPath) },
}));

/** Which packages a package must not import, and why: one rule each. */
const packageBounds = [
  {
    name: 'web-not-server',
    from: 'web',
    not: ['minke', 'agent', 'protocol'],
    why: 'the web admin takes types and helpers from @minke/contract, never server code',
  },
  {
    name: 'agent-stays-small',
    from: 'agent',
    not: ['minke', 'contract', 'web'],
    why: 'minke-agent imports @minke/protocol only, never the contract or the server',
  },
  {
    name: 'contract-is-zod-only',
    from: 'contract',
    not: ['minke', 'protocol', 'agent', 'web'],
    why: '@minke/contract runs in the browser: it imports zod and itself only',
  },
  {
    name: 'protocol-stands-alone',
    from: 'protocol',
    not: ['minke', 'contract', 'agent', 'web'],
    why: '@minke/protocol is shared by the agent and the server; it imports neither',
  },
  {
    name: 'server-not-web-or-agent',
    from: 'minke',
    not: ['web', 'agent'],
    why: 'the server serves the built web admin as files and talks to agents over MQTT',
  },
];

const packageRules = packageBounds.map((bound) => ({
  name: bound.name,
  comment: bound.why,
  severity: 'error',
  from: { path: `^packages/${bound.from}/` },
  to: { path: `^packages/(?:${bound.not.join('|')})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    ...noImportUp,
    {
      name: 'no-circular',
      comment: 'modules never import each other round a loop (types count too)',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment:
        'folders of packages/minke/src never import each other round a loop (a backend subfolder ' +
        'such as store/sqlite/ and its parent may: that stays inside one folder)',
      severity: 'error',
      scope: 'folder',
      from: { path: `${src}([^/]+)` },
      to: { circular: true, pathNot: `${src}$1(?:/|$)` },
    },
    ...packageRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules|/dist/' },
    exclude: { path: '\\.test\\.tsx?$|/test-support/|/e2e/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.check.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
    },
  },
};
