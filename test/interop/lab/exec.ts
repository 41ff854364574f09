/** Child processes for the interop lab: every command has a deadline and bounded output capture. */
import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the deadline killed the process (SIGKILL). */
  timedOut: boolean;
}

export interface ExecOptions {
  /** Deadline for the whole command; default 30 s. */
  timeoutMs?: number;
  /** Written to stdin, which is then closed (stdin is always closed so nothing waits on it). */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Bytes kept per stream; the rest is dropped so a chatty process cannot exhaust memory. Default 1 MiB. */
  maxBytes?: number;
}

/** Runs a command to completion. Never rejects for a non-zero exit; rejects only if it cannot be spawned. */
export function execCommand(
  cmd: string,
  args: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => {
      if (outBytes < maxBytes) out.push(d.subarray(0, maxBytes - outBytes));
      outBytes += d.length;
    });
    child.stderr.on('data', (d: Buffer) => {
      if (errBytes < maxBytes) err.push(d.subarray(0, maxBytes - errBytes));
      errBytes += d.length;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
    child.stdin.on('error', () => {
      // The process may exit before reading stdin (EPIPE); its exit status tells the story.
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs a command and throws with its output when it fails or times out: for set-up steps. */
export async function mustExec(
  cmd: string,
  args: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const r = await execCommand(cmd, args, opts);
  if (r.code !== 0 || r.timedOut) {
    const why = r.timedOut
      ? `timed out after ${opts.timeoutMs ?? 30_000} ms`
      : `exited ${r.code ?? r.signal}`;
    throw new Error(`${cmd} ${args.join(' ')} ${why}\n${r.stderr.trim()}\n${r.stdout.trim()}`.trim());
  }
  return r;
}
