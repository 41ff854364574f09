/**
 * Runs many targets with bounded concurrency and hands results to `emit` in input order,
 * as soon as every earlier result is out (so JSON Lines stream in order).
 */
export async function runInOrder<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  emit: (result: R, index: number) => void,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const done: boolean[] = new Array(items.length).fill(false);
  let next = 0;
  let emitted = 0;
  const flush = () => {
    while (emitted < items.length && done[emitted]) {
      emit(results[emitted] as R, emitted);
      emitted++;
    }
  };
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T, i);
      done[i] = true;
      flush();
    }
  };
  const n = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}
