#!/usr/bin/env node
// Start-up floor for bench/: the smallest oclif 4 entry point, same shape as xfed's bin/run.js.
import { flush, run } from '@oclif/core';

await run(process.argv.slice(2), import.meta.url);
await flush();
