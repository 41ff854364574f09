/**
 * RFC 2782 target selection ("Usage rules"): lowest priority first; within one priority a
 * weighted random pick, repeated until the group is empty. Also the deterministic "most
 * likely" order used for reports. Pure; the random source is injectable for tests.
 */

export interface SrvOrderable {
  priority: number;
  weight: number;
}

/** Returns a number in [0, 1), like Math.random. */
export type RandomSource = () => number;

/** RFC 2782 / RFC 6120 §3.2.1: a target of "." (or empty) means "service decidedly not available here". */
export function isRootTarget(target: string): boolean {
  return target === '' || target === '.';
}

function byPriority<T extends SrvOrderable>(records: readonly T[]): T[][] {
  const groups = new Map<number, T[]>();
  for (const r of records) {
    const g = groups.get(r.priority);
    if (g) g.push(r);
    else groups.set(r.priority, [r]);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
}

/**
 * The order a server tries targets in (RFC 2782): per priority group, put weight-0 records
 * first, draw n uniformly from 0..sum(weights), take the first record whose running sum is
 * >= n, remove it and repeat. Weight-0 records are thus picked only rarely ahead of others.
 */
export function rfc2782Order<T extends SrvOrderable>(
  records: readonly T[],
  random: RandomSource = Math.random,
): T[] {
  const out: T[] = [];
  for (const group of byPriority(records)) {
    const left = [...group.filter((r) => r.weight === 0), ...group.filter((r) => r.weight !== 0)];
    while (left.length > 0) {
      const sum = left.reduce((s, r) => s + r.weight, 0);
      const n = Math.min(sum, Math.floor(random() * (sum + 1)));
      let running = 0;
      let pick = left.length - 1;
      for (let i = 0; i < left.length; i++) {
        running += (left[i] as T).weight;
        if (running >= n) {
          pick = i;
          break;
        }
      }
      out.push(left.splice(pick, 1)[0] as T);
    }
  }
  return out;
}

/** Deterministic "most likely" order for reports: priority ascending, then weight descending, stable. */
export function expectedOrder<T extends SrvOrderable>(records: readonly T[]): T[] {
  return records
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.priority - b.r.priority || b.r.weight - a.r.weight || a.i - b.i)
    .map(({ r }) => r);
}
