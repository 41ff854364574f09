#!/usr/bin/env node
// xfed entry point. Errors that escape a command (unknown command, broken install) are
// mapped to the report contract's exit codes here: 2 for usage, 3 for anything else, on one
// line with control and bidi characters escaped (what was typed may be echoed).
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
  const { run } = await import('@oclif/core/run');
  try {
    await run(argv, import.meta.url);
    const { flush } = await import('@oclif/core/flush');
    await flush();
  } catch (err) {
    const e = /** @type {any} */ (err);
    if (e?.oclif?.exit === 0 || (e?.code === 'EEXIT' && e?.oclif?.exit === 0)) process.exit(0);
    const { safeText } = await import('../dist/report/untrusted.js');
    const usage = e?.name === 'UsageError';
    const raw = usage ? String(e.detail) : String(e?.message ?? e).split('\n')[0];
    const msg = safeText(raw, { max: 400 });
    if (usage || e?.oclif?.exit !== undefined || /not found|Unexpected|flag/i.test(raw)) {
      process.stderr.write(`xfed: ${msg} (see xfed --help)\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`xfed: internal error: ${msg}. This is a bug in xfed; please report it.\n`);
      process.exitCode = 3;
    }
  }
}
