#!/usr/bin/env node
// xfed entry point. Errors that escape a command (unknown command, broken install) are
// mapped to the report contract's exit codes here: 2 for usage, 3 for anything else, on one
// line with control and bidi characters escaped (what was typed may be echoed).
import { flush, run } from '@oclif/core';

try {
  await run(process.argv.slice(2), import.meta.url);
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
