/**
 * Runs many targets with bounded concurrency and hands results to `emit` in input order,
 * as soon as every earlier result is out (so JSON Lines stream in order). A result is dropped
 * once emitted, and workers run at most `window` items ahead of the oldest unwritten one, so a
 * slow target holds back a bounded number of finished reports: memory follows the
 * concurrency, not the batch size nor how long the slowest target takes
 * (bench/batch-memory.bench.mjs).
 */
export async function runInOrder<T, R>(
  items: { readonly length: number; at(index: number): T | undefined },
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  emit: (result: R, index: number) => void,
  window = Math.max(64, concurrency * 16),
): Promise<void> {
  const pending = new Map<number, R>();
  let next = 0;
  let emitted = 0;
  let waiting: (() => void)[] = [];
  const flush = () => {
    while (pending.has(emitted)) {
      const r = pending.get(emitted) as R;
      pending.delete(emitted);
      emit(r, emitted);
      emitted++;
    }
    const wake = waiting;
    waiting = [];
    for (const w of wake) w();
  };
  const worker = async () => {
    while (next < items.length) {
      if (next - emitted >= window) {
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      const i = next++;
      pending.set(i, await work(items.at(i) as T, i));
      flush();
    }
  };
  const n = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: n }, worker));
}
