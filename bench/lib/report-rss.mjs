// --import hook for bench children: writes this process's peak RSS (kilobytes) on exit.
import { writeFileSync } from 'node:fs';

const file = process.env.XFED_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
}

// Optional: CPU time (user + system, milliseconds), for benches on a shared, busy machine where
// wall time says more about the neighbours than about xfed.
const cpuFile = process.env.XFED_BENCH_CPU_FILE;
if (cpuFile) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(cpuFile, String((u.userCPUTime + u.systemCPUTime) / 1000));
  });
}
