/** Runs the built CLI (bin/run.js) as a subprocess, for end-to-end tests. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, CI: '', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`xfed ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 60000} ms`));
    }, opts.timeoutMs ?? 60000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Parses stdout as exactly one JSON document per line. */
export function jsonLines(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as unknown);
}

const LIST_MODULES = fileURLToPath(new URL('../../bench/lib/list-modules.mjs', import.meta.url));

/** Runs `run` with a fresh XFED_MODULES_FILE and adds the modules bench/lib/list-modules.mjs listed in it. */
async function listingModules<T>(run: (file: string) => T | Promise<T>): Promise<T & { modules: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'xfed-modules-'));
  try {
    const file = join(dir, 'modules.txt');
    const r = await run(file);
    return { ...r, modules: readFileSync(file, 'utf8').split('\n').filter(Boolean) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the built CLI with bench/lib/list-modules.mjs and returns, with its result, every module
 * it loaded: ESM URLs, require.cache, built-ins (`node:…`), and the source modules bundled in
 * each loaded file of dist/ (`src/gather/tls.ts`, `node_modules/saxes/lib/saxes.js`).
 */
export function runCliListingModules(
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliResult & { modules: string[] }> {
  return listingModules((file) =>
    runCli(args, {
      ...opts,
      env: { ...opts.env, NODE_OPTIONS: `--import ${LIST_MODULES}`, XFED_MODULES_FILE: file },
    }),
  );
}

/**
 * Imports one built module (as oclif does for help and command lists) in a fresh Node with
 * bench/lib/list-modules.mjs and returns what it loaded, listed as runCliListingModules does.
 */
export function modulesLoadedByImport(
  distPath: string,
): Promise<{ status: number | null; stderr: string; modules: string[] }> {
  const url = new URL(`../../${distPath}`, import.meta.url).href;
  return listingModules((file) => {
    const r = spawnSync(
      process.execPath,
      ['--import', LIST_MODULES, '--input-type=module', '-e', `await import(${JSON.stringify(url)})`],
      { encoding: 'utf8', env: { ...process.env, XFED_MODULES_FILE: file } },
    );
    return { status: r.status, stderr: r.stderr };
  });
}
