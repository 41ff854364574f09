#!/usr/bin/env node
// xfed entry point. Errors that escape a command (unknown command, broken install) are
// mapped to the report contract's exit codes here: 2 for usage, 3 for anything else.
//
// Start-up (docs/performance.md): `--version` is answered here without loading oclif (the
// same line oclif prints: config.userAgent), and oclif is imported by subpath (`run`,
// `flush`) rather than through its index, which also loads semver, the help classes and
// every ux helper.
const argv = process.argv.slice(2);
if (argv[0] === '--version') {
  const { readFileSync } = await import('node:fs');
  const { arch, release } = await import('node:os');
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  // oclif: platform is 'wsl' under WSL (Microsoft kernel), arch 'x86' for ia32.
  const platform = process.platform === 'linux' && /microsoft/i.test(release()) ? 'wsl' : process.platform;
  const a = arch() === 'ia32' ? 'x86' : arch();
  process.stdout.write(`${pjson.name}/${pjson.version} ${platform}-${a} node-${process.version}\n`);
} else {
  // oclif sorts the manifest's commands with localeCompare (config/plugin.js), and the first
  // localeCompare of a process builds an ICU collator: 5-10 ms, more than the sort is worth.
  // For strings of [a-z:-] (command ids) ICU's root order is code-point order, so those
  // are compared directly; anything else, or any call with locales/options, goes to ICU.
  const localeCompare = String.prototype.localeCompare;
  const plain = /^[a-z:-]*$/;
  String.prototype.localeCompare = function (that, ...rest) {
    if (rest.length === 0 && typeof that === 'string' && plain.test(this) && plain.test(that)) {
      return this < that ? -1 : this > that ? 1 : 0;
    }
    return localeCompare.call(this, that, ...rest);
  };
  const { run } = await import('@oclif/core/run');
  try {
    await run(argv, import.meta.url);
    const { flush } = await import('@oclif/core/flush');
    await flush();
  } catch (err) {
    const e = /** @type {any} */ (err);
    if (e?.oclif?.exit === 0 || (e?.code === 'EEXIT' && e?.oclif?.exit === 0)) process.exit(0);
    const msg = String(e?.message ?? e).split('\n')[0];
    if (e?.oclif?.exit !== undefined || /not found|Unexpected|flag/i.test(msg)) {
      process.stderr.write(`xfed: ${msg} (see xfed --help)\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`xfed: internal error: ${msg}. This is a bug in xfed; please report it.\n`);
      process.exitCode = 3;
    }
  }
}
