/**
 * README examples of the monitoring section (issue 12): --format nagios / junit / markdown
 * and `xfed serve` answering /probe, against the running lab. Called by readme-demo.ts with
 * its `show` (which prints a console block); the exporter's answer is printed as it came.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN } from '../test/helpers/cli.js';
import type { Lab } from '../test/interop/lab/index.js';

type Show = (args: string[], opts?: { env?: NodeJS.ProcessEnv }) => Promise<void>;

const SERVE = '127.0.0.1:19797';
const FETCH = `
const res = await fetch(process.argv[1], { signal: AbortSignal.timeout(20000) });
process.stdout.write(await res.text());
`;

export async function monitoringDemo(lab: Lab, show: Show, short: (s: string) => string): Promise<void> {
  await show(['probe', 'tls', 'prosody-ok.test', '--ca', lab.caFile, '--format', 'nagios']);
  await show([
    'probe',
    'tls',
    'prosody-ok.test',
    'expired.test',
    'wrong-name.test',
    '--ca',
    lab.caFile,
    '--format',
    'nagios',
  ]);
  await show(['check', 'srv', 'no-srv.test', '--format', 'github']);
  await show(['probe', 'tls', 'wrong-name.test', '--ca', lab.caFile, '--format', 'markdown']);
  const serveArgs = [
    'serve',
    '--listen',
    SERVE,
    '--allow',
    '*.test',
    '--as',
    'xfed.test',
    '--ca',
    lab.caFile,
  ];
  const serve = lab.spawn([process.execPath, BIN, ...serveArgs], 'demo-serve.log');
  try {
    const get = (path: string) =>
      lab.exec([process.execPath, '--input-type=module', '-e', FETCH, `http://${SERVE}${path}`], {
        timeoutMs: 30_000,
      });
    for (let i = 0; i < 100 && (await get('/metrics')).code !== 0; i++) await sleep(200);
    for (const target of ['prosody-ok.test', 'expired.test']) {
      const path = `/probe?module=tls&target=${target}`;
      const body = (await get(path)).stdout
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .join('\n');
      process.stdout.write(
        `\n\`\`\`console\n$ curl -s 'http://${SERVE}${path}' | grep -v '^#'\n${body}\n\`\`\`\n`,
      );
    }
    process.stdout.write(`\n(started as \`xfed ${short(serveArgs.join(' '))}\`)\n`);
  } finally {
    serve.child.kill('SIGTERM');
    // The child is unref'd: a timer keeps this process alive while it finishes.
    await Promise.race([serve.exited, sleep(5000)]);
  }
}
