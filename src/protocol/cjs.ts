/**
 * The exports of a CommonJS package loaded with `import()`. Node gives its named exports
 * (and `default`, which is module.exports); the bundle (scripts/bundle.mjs: esbuild with code
 * splitting) gives only `default`. Reading module.exports works for both.
 */
export function cjsExports<T extends object>(ns: T): T {
  const d = (ns as { default?: unknown }).default;
  return (d !== null && (typeof d === 'object' || typeof d === 'function') ? d : ns) as T;
}
