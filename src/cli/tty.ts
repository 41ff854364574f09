/**
 * Terminal decisions: colour only on a TTY with NO_COLOR unset (FORCE_COLOR wins either
 * way), spinners only on a stderr TTY and never with --json. ora is imported lazily.
 */
import type { Style } from '../report/text.js';

export function colorEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force === 'false');
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY);
}

export async function styleFor(stream: NodeJS.WriteStream): Promise<Style> {
  if (!colorEnabled(stream)) return plainStyle;
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: 1 });
  return {
    error: c.red.bold,
    warning: c.yellow.bold,
    info: c.cyan,
    dim: c.dim,
    bold: c.bold,
    ok: c.green.bold,
  };
}

const id = (s: string) => s;
export const plainStyle: Style = { error: id, warning: id, info: id, dim: id, bold: id, ok: id };

export interface Spinner {
  update(text: string): void;
  stop(): void;
}

const noSpinner: Spinner = { update() {}, stop() {} };

/** An ora spinner on stderr when stderr is a TTY and output is not JSON; otherwise a no-op. */
export async function startSpinner(text: string, json: boolean): Promise<Spinner> {
  // A terminal that reports 0 columns (script(1), some `docker exec -t`) would make ora's
  // line clearing loop forever: no spinner there either.
  if (json || !process.stderr.isTTY || !process.stderr.columns || process.env.CI) return noSpinner;
  const { default: ora } = await import('ora');
  const s = ora({ text, stream: process.stderr }).start();
  return {
    update(t: string) {
      s.text = t;
    },
    stop() {
      s.stop();
    },
  };
}
