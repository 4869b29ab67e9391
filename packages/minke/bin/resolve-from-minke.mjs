// Resolves a bare import the way an ES module of Minke's would (the "import" conditions), for a
// project that lacks the package (src/runtime/import-project-module.ts). An ES module because
// `import.meta.resolve` is theirs alone; loaded only when a project needs it.
export function resolveFromMinke(specifier) {
  return import.meta.resolve(specifier);
}
