// Build-time edits of @oclif/core inside xfed's bundle (scripts/bundle.mjs), one per start-up
// cost measured in docs/performance.md. Each names the exact text it replaces and the build
// fails if that text is gone (an oclif upgrade), so a patch is never silently dropped.

/**
 * oclif sorts a plugin's commands with `localeCompare` on every start. The first
 * `localeCompare` of a process builds an ICU collator: 10-12 ms CPU, a twentieth of `xfed
 * explain`. For ids made only of a-z, '-' and ':' (all of xfed's), code-point order is the
 * same as ICU's root order ('-' < ':' < letters, no ignorable characters), which
 * test/unit/bundle-patches.test.ts checks with random ids; any other id still uses
 * localeCompare. Scoped to this one sort, unlike a patch of String.prototype.
 */
export function compareCommandIds(a, b) {
  const plain = /^[a-z:-]*$/;
  if (plain.test(a) && plain.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return a.localeCompare(b);
}

export const OCLIF_PATCHES = [
  {
    file: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/,
    find: '.sort((a, b) => a.id.localeCompare(b.id));',
    replace: '.sort((a, b) => compareCommandIds(a.id, b.id));',
    prelude: `${compareCommandIds.toString()}\n`,
  },
];

/** An esbuild plugin applying OCLIF_PATCHES. */
export function oclifPatches() {
  return {
    name: 'xfed-oclif-patches',
    setup(build) {
      for (const patch of OCLIF_PATCHES) {
        build.onLoad({ filter: patch.file }, async (args) => {
          const { readFile } = await import('node:fs/promises');
          const text = await readFile(args.path, 'utf8');
          if (!text.includes(patch.find)) {
            throw new Error(
              `bundle: ${args.path} no longer contains ${JSON.stringify(patch.find)}; review scripts/lib/oclif-patches.mjs`,
            );
          }
          return { contents: patch.prelude + text.replace(patch.find, patch.replace), loader: 'js' };
        });
      }
    },
  };
}
