// Runs a bench's inner half inside the interop lab's namespace (where the lab's DNS and servers
// are), after the outer half started the lab: the outer half builds a config from the lab, the
// inner half measures. Skips with a result row when the lab cannot run here (no root, packages).
import { report } from './measure.mjs';

/**
 * @param {string} benchFile path of the bench file, relative to the repo root
 * @param {{ scenarios: string[], runs: number, config: (lab: any) => object }} o
 */
export async function runInsideLab(benchFile, o) {
  const { labSkipReason, startLab } = await import('../../test/interop/lab/index.ts');
  const reason = labSkipReason();
  if (reason) {
    report({ metric: `skipped: interop lab unavailable (${reason})`, value: 0, unit: '' });
    return;
  }
  const lab = await startLab({ scenarios: o.scenarios });
  try {
    const r = await lab.exec([process.execPath, benchFile, 'inner', JSON.stringify(o.config(lab))], {
      timeoutMs: 600_000,
      env: { ...process.env, XFED_BENCH_RUNS: String(o.runs) },
    });
    process.stdout.write(r.stdout);
    if (r.code !== 0) throw new Error(`inner bench failed (${r.code}): ${r.stderr}`);
  } finally {
    await lab.stop();
  }
}
