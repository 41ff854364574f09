// --import hook for bench children: writes this process's peak RSS (kilobytes) on exit.
import { writeFileSync } from 'node:fs';

const file = process.env.XFED_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
}
