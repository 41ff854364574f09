/**
 * Imports an ES module from outside xfed's bundle (an oclif plugin). dist/ is CommonJS compiled
 * through a V8 code cache (src/compile-cache.ts), where `import()` does not work on Node 20, so
 * the import is done by bin/run.js, an ES module Node compiles itself: it puts the function
 * under this symbol before loading dist/. Specifiers resolve from bin/, i.e. from xfed's own
 * node_modules.
 */
export const IMPORT_ESM = Symbol.for('xfed.importEsm');

export function importEsm<T>(specifier: string): Promise<T> {
  const load = (globalThis as Record<symbol, unknown>)[IMPORT_ESM];
  if (typeof load !== 'function')
    return Promise.reject(new Error(`cannot import ${specifier}: xfed was not started by bin/run.js`));
  return (load as (s: string) => Promise<T>)(specifier);
}
