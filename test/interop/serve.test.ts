/**
 * `xfed serve` against the interop lab, scraped by a real Prometheus (Debian package
 * `prometheus`, started by this test inside the lab's namespace on loopback with a temporary
 * config, never as a system service). Reads xfed_probe_success back through Prometheus's
 * HTTP API for a healthy and a broken target, lints the exporter's output with
 * `promtool check metrics`, checks --allow refusal and nagios perfdata of a real TLS probe,
 * and sends SIGTERM while a probe runs. Needs root; skips on a laptop, fails under CI=true.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN } from '../helpers/cli.js';
import { type Lab, labSuiteOptions, startLab } from './lab/index.js';

const SERVE = '127.0.0.1:19797';
const PROM = '127.0.0.1:19090';

/** A GET from inside the namespace: status and body (bounded by the exec capture). */
const FETCH = `
const [url, headers] = process.argv.slice(1);
const res = await fetch(url, { headers: JSON.parse(headers || '{}'), signal: AbortSignal.timeout(20000) });
process.stdout.write(JSON.stringify({ status: res.status, body: await res.text() }));
`;

function prometheusMissing(): string | undefined {
  const ok =
    spawnSync('prometheus', ['--version']).status === 0 && spawnSync('promtool', ['--version']).status === 0;
  if (ok) return undefined;
  if (process.env.CI === 'true')
    throw new Error('prometheus/promtool missing (Debian package prometheus; .ci/run installs it)');
  return 'prometheus not installed (apt-get install prometheus)';
}

const PROM_CONFIG = (dir: string) => `
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: xfed_tls
    metrics_path: /probe
    params:
      module: [tls]
    static_configs:
      - targets: [prosody-ok.test, expired.test]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: ${SERVE}
  - job_name: xfed_exporter
    static_configs:
      - targets: ['${SERVE}']
# written by test/interop/serve.test.ts in ${dir}
`;

describe('xfed serve scraped by a real Prometheus', {
  ...labSuiteOptions(),
  skip: labSuiteOptions().skip ?? prometheusMissing(),
}, () => {
  let lab: Lab;
  let serve: ReturnType<Lab['spawn']>;

  const get = async (url: string, headers: Record<string, string> = {}) => {
    const r = await lab.exec(
      [process.execPath, '--input-type=module', '-e', FETCH, url, JSON.stringify(headers)],
      {
        timeoutMs: 30_000,
      },
    );
    assert.equal(r.code, 0, `fetch ${url} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { status: number; body: string };
  };

  /** Polls until the exporter answers (it prints its address once listening). */
  const waitFor = async (url: string, deadlineMs: number) => {
    const until = Date.now() + deadlineMs;
    for (;;) {
      const r = await lab.exec([process.execPath, '--input-type=module', '-e', FETCH, url, '{}'], {
        timeoutMs: 5000,
      });
      if (r.code === 0) return;
      if (Date.now() > until) throw new Error(`${url} did not answer within ${deadlineMs} ms: ${r.stderr}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  };

  before(async () => {
    lab = await startLab({ scenarios: ['prosody-ok.test', 'expired.test', 'silent.test'] });
    serve = lab.spawn(
      [
        process.execPath,
        BIN,
        'serve',
        '--listen',
        SERVE,
        '--allow',
        '*.test',
        '--as',
        'xfed.test',
        '--ca',
        lab.caFile,
        '--timeout',
        '3000',
      ],
      'serve.log',
    );
    await waitFor(`http://${SERVE}/metrics`, 20_000);
  });
  after(async () => {
    await lab?.stop();
  });

  it('Prometheus scrapes /probe through blackbox-style relabelling: healthy 1, broken 0', async () => {
    writeFileSync(join(lab.dir, 'prometheus.yml'), PROM_CONFIG(lab.dir));
    const check = spawnSync('promtool', ['check', 'config', join(lab.dir, 'prometheus.yml')], {
      encoding: 'utf8',
    });
    assert.equal(check.status, 0, check.stderr + check.stdout);
    lab.spawn(
      [
        'prometheus',
        `--config.file=${join(lab.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(lab.dir, 'prometheus-data')}`,
        `--web.listen-address=${PROM}`,
        '--log.level=warn',
      ],
      'prometheus.log',
    );
    const until = Date.now() + 45_000;
    let values: Record<string, string> = {};
    while (Date.now() < until) {
      await new Promise((res) => setTimeout(res, 1000));
      const r = await lab
        .exec(
          [
            process.execPath,
            '--input-type=module',
            '-e',
            FETCH,
            `http://${PROM}/api/v1/query?query=xfed_probe_success`,
            '{}',
          ],
          {
            timeoutMs: 5000,
          },
        )
        .catch(() => undefined);
      if (r?.code !== 0) continue;
      const doc = JSON.parse(JSON.parse(r.stdout).body) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      values = Object.fromEntries(doc.data.result.map((s) => [s.metric.instance as string, s.value[1]]));
      if (values['prosody-ok.test'] !== undefined && values['expired.test'] !== undefined) break;
    }
    assert.deepEqual(
      values,
      { 'prosody-ok.test': '1', 'expired.test': '0' },
      lab.logTail(join(lab.dir, 'prometheus.log')),
    );
    const finding = await get(
      `http://${PROM}/api/v1/query?query=${encodeURIComponent('xfed_finding{severity="error"}')}`,
    );
    const ids = (
      JSON.parse(finding.body) as { data: { result: { metric: Record<string, string> }[] } }
    ).data.result.map((s) => `${s.metric.instance} ${s.metric.id}`);
    assert.deepEqual(ids, ['expired.test cert.validity.expired']);
    const up = await get(
      `http://${PROM}/api/v1/query?query=${encodeURIComponent('up{job="xfed_exporter"}')}`,
    );
    assert.match(up.body, /"value":\[[\d.]+,"1"\]/);
  });

  it('its /probe and /metrics output pass promtool check metrics', async () => {
    for (const path of [
      '/probe?module=tls&target=prosody-ok.test',
      '/probe?module=tls&target=expired.test',
      '/metrics',
    ]) {
      const r = await get(`http://${SERVE}${path}`);
      assert.equal(r.status, 200);
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: r.body, encoding: 'utf8' });
      assert.equal(lint.status, 0, `${path}: ${lint.stdout}${lint.stderr}`);
    }
    const ok = await get(`http://${SERVE}/probe?module=tls&target=prosody-ok.test`);
    assert.match(ok.body, /^xfed_probe_success 1$/m);
    assert.match(
      ok.body,
      /^xfed_cert_not_after_timestamp_seconds\{target="prosody-ok\.test",host="[^"]+"\} \d+/m,
    );
    assert.match(ok.body, /^xfed_srv_targets 1$/m);
    for (const step of ['dns', 'connect', 'stream', 'starttls', 'tls']) {
      assert.match(
        ok.body,
        new RegExp(`^xfed_probe_step_duration_seconds\\{step="${step}"\\} [\\d.e-]+$`, 'm'),
      );
    }
    const srv = await get(`http://${SERVE}/probe?module=srv&target=prosody-ok.test`);
    assert.match(srv.body, /^xfed_probe_success 1$/m);
  });

  it('the doctor module runs xfed doctor for the pair (as defaults to the first --as)', async () => {
    // The exporter runs with --as xfed.test, whose s2s address has no server in this lab: the
    // peer side of prosody-ok.test is healthy, so the only error is on our side (refused);
    // expired.test adds its certificate error on the peer side.
    const ok = await get(`http://${SERVE}/probe?module=doctor&target=prosody-ok.test`);
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(errorIds(ok.body), ['tcp.connect.refused']);
    const broken = await get(`http://${SERVE}/probe?module=doctor&target=expired.test`);
    assert.equal(broken.status, 200, broken.body);
    assert.match(broken.body, /^xfed_probe_success 0$/m);
    assert.deepEqual(errorIds(broken.body), ['cert.validity.expired', 'tcp.connect.refused']);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: broken.body, encoding: 'utf8' });
    assert.equal(lint.status, 0, `${lint.stdout}${lint.stderr}`);
  });

  it('refuses targets outside --allow with 403', async () => {
    const r = await get(`http://${SERVE}/probe?module=tls&target=example.org`);
    assert.equal(r.status, 403);
  });

  it('nagios output of a real TLS probe carries step timings and cert_days', async () => {
    const r = await lab.run(['probe', 'tls', 'prosody-ok.test', '--ca', lab.caFile, '--format', 'nagios']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [head, perf] = (r.stdout.split('\n')[0] as string).split(' | ');
    assert.match(head as string, /^XFED PROBE TLS OK - prosody-ok\.test: /);
    const items = (perf as string).split(' ');
    for (const name of ['dns', 'connect', 'tls'])
      assert.ok(
        items.some((p) => new RegExp(`^${name}=[\\d.]+s;;;0$`).test(p)),
        perf,
      );
    assert.ok(
      items.some((p) => /^cert_days=\d+(\.\d)?;30;0$/.test(p)),
      perf,
    );
    const expired = await lab.run(['probe', 'tls', 'expired.test', '--ca', lab.caFile, '--format', 'nagios']);
    assert.equal(expired.code, 2);
    assert.match(expired.stdout, /cert_days=-\d+(\.\d)?;30;0/);
  });

  it('SIGTERM during a probe: the probe still answers, then the exporter exits 0', async () => {
    // The silent peer accepts and never speaks: the probe lasts until its 3 s step deadline.
    const pending = get(`http://${SERVE}/probe?module=tls&target=silent.test`);
    await new Promise((res) => setTimeout(res, 700));
    serve.child.kill('SIGTERM');
    const r = await pending;
    assert.equal(r.status, 200);
    assert.match(r.body, /^xfed_probe_success 0$/m);
    assert.match(
      r.body,
      /^xfed_finding\{id="xmpp\.stream\.[a-z-]+",severity="error",target="silent\.test"\} 1$/m,
    );
    const exit = await Promise.race([
      serve.exited,
      new Promise((res) => setTimeout(() => res('still running'), 8000)),
    ]);
    assert.deepEqual(exit, { code: 0, signal: null }, readFileSync(join(lab.dir, 'serve.log'), 'utf8'));
    assert.match(readFileSync(join(lab.dir, 'serve.log'), 'utf8'), /SIGTERM, finishing running probes/);
  });
});

/** The ids of the error findings an exporter answer lists, sorted. */
function errorIds(body: string): string[] {
  return [...body.matchAll(/^xfed_finding\{id="([^"]+)",severity="error",[^}]*\} 1$/gm)]
    .map((m) => m[1] as string)
    .sort();
}
