/**
 * Runs many targets with bounded concurrency and hands results to `emit` in input order,
 * as soon as every earlier result is out (so JSON Lines stream in order). A result is dropped
 * once emitted: only results waiting for an earlier, slower one are held, so memory follows
 * the concurrency, not the batch size (bench/batch-memory.bench.mjs).
 */
export async function runInOrder<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  emit: (result: R, index: number) => void,
): Promise<void> {
  const pending = new Map<number, R>();
  let next = 0;
  let emitted = 0;
  const flush = () => {
    while (pending.has(emitted)) {
      const r = pending.get(emitted) as R;
      pending.delete(emitted);
      emit(r, emitted);
      emitted++;
    }
  };
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      pending.set(i, await work(items[i] as T, i));
      flush();
    }
  };
  const n = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: n }, worker));
}
