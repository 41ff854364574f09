/**
 * The exporter's HTTP behaviour with scripted modules (real HTTP on loopback, no network
 * probes): --allow refusal, bad requests, an unavailable module, bounded concurrency
 * and queue, the per-probe deadline from X-Prometheus-Scrape-Timeout-Seconds, the cache and
 * joining identical probes, /metrics, and a graceful shutdown that lets a running probe answer.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Report } from '../../../src/report/model.js';
import { parseAllowPattern } from '../../../src/serve/allow.js';
import {
  MODULES,
  type ModuleConfig,
  type ProbeModule,
  type ProbeRequest,
} from '../../../src/serve/modules.js';
import { Exporter, type ServeOptions } from '../../../src/serve/server.js';

function report(target: string, status: Report['status'] = 'pass'): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'xfed', version: '0.1.0' },
    command: 'check srv',
    target,
    options: {},
    startedAt: new Date().toISOString(),
    durationMs: 5,
    status,
    findings:
      status === 'fail'
        ? [
            {
              id: 'dns.domain.nxdomain',
              severity: 'error',
              title: 't',
              symptom: 's',
              cause: 'c',
              fix: 'f',
              evidence: {},
              refs: [],
            },
          ]
        : [],
    facts: {},
  };
}

/** A module whose probes wait `delayMs` and record what they were asked. */
function scripted(delayMs: number) {
  const calls: ProbeRequest[] = [];
  let running = 0;
  let maxRunning = 0;
  const mod: ProbeModule = {
    name: 'slow',
    available: true,
    summary: 'test',
    usesAs: true,
    async probe(req: ProbeRequest, _cfg: ModuleConfig) {
      calls.push(req);
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, delayMs));
      running--;
      return report(req.target, req.target.startsWith('broken') ? 'fail' : 'pass');
    },
  };
  return { mod, calls, max: () => maxRunning };
}

const exporters: Exporter[] = [];
afterEach(async () => {
  for (const e of exporters.splice(0)) await e.shutdown(100);
});

async function start(mod: ProbeModule, over: Partial<ServeOptions> = {}) {
  const modules = new Map<string, ProbeModule>([
    [mod.name, mod],
    [
      'absent',
      { name: 'absent', available: false, reason: 'module "absent" is not available in this build' },
    ],
  ]);
  const e = new Exporter({
    allow: ['*.ok.test', 'exact.test'].map(parseAllowPattern),
    config: { caPems: [], as: [], warnDays: 30 },
    concurrency: 2,
    maxQueue: 100,
    probeTimeoutMs: 5000,
    stepTimeoutMs: 5000,
    timeoutOffsetMs: 500,
    cacheTtlMs: 0,
    modules,
    ...over,
  });
  exporters.push(e);
  const addr = await e.listen('127.0.0.1', 0);
  const base = `http://127.0.0.1:${addr.port}`;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, body: await res.text() };
  };
  return { e, get };
}

describe('xfed serve exporter (scripted modules)', () => {
  it('probes allowed targets and refuses others with 403, before any probe runs', async () => {
    const s = scripted(1);
    const { get } = await start(s.mod);
    const ok = await get('/probe?module=slow&target=a.ok.test');
    assert.equal(ok.status, 200);
    assert.match(ok.body, /^xfed_probe_success 1$/m);
    for (const t of ['ok.test', 'evil.test', 'a.ok.test.evil.test', 'sub.exact.test']) {
      const r = await get(`/probe?module=slow&target=${t}`);
      assert.equal(r.status, 403, t);
      assert.match(r.body, /not allowed by --allow/);
    }
    assert.equal((await get('/probe?module=slow&target=EXACT.test')).status, 200);
    assert.deepEqual(
      s.calls.map((c) => c.target),
      ['a.ok.test', 'exact.test'],
    );
  });

  it('answers 400 for a bad request and an unknown module', async () => {
    const { get } = await start(scripted(1).mod);
    assert.equal((await get('/probe?target=a.ok.test')).status, 400);
    assert.equal((await get('/probe?module=slow')).status, 400);
    assert.equal((await get('/probe?module=slow&target=bad..name')).status, 400);
    assert.equal((await get('/probe?module=slow&target=192.0.2.1')).status, 400);
    const unknown = await get('/probe?module=nope&target=a.ok.test');
    assert.equal(unknown.status, 400);
    assert.match(unknown.body, /unknown module "nope"/);
    // doctor is a real module now (its probes run in test/interop/serve.test.ts); a module
    // that is not built in still gets a clear 400
    assert.equal((MODULES.get('doctor') as ProbeModule).available, true);
    const absent = await get('/probe?module=absent&target=a.ok.test');
    assert.equal(absent.status, 400);
    assert.match(absent.body, /module "absent" is not available/);
    assert.equal((await get('/nothing')).status, 404);
  });

  it('runs at most --concurrency probes at once; the rest wait in the queue', async () => {
    const s = scripted(150);
    const { get } = await start(s.mod, { concurrency: 2 });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => get(`/probe?module=slow&target=t${i}.ok.test`)),
    );
    for (const r of results) assert.equal(r.status, 200);
    assert.equal(s.calls.length, 6);
    assert.equal(s.max(), 2);
  });

  it('answers 503 when the queue is full', async () => {
    const s = scripted(300);
    const { get } = await start(s.mod, { concurrency: 1, maxQueue: 1 });
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => get(`/probe?module=slow&target=q${i}.ok.test`)),
    );
    const codes = results.map((r) => r.status).sort();
    assert.deepEqual(codes, [200, 200, 503, 503]);
  });

  it('cuts a probe off at the scrape timeout minus the offset: success 0, timeout 1', async () => {
    const s = scripted(3000);
    const { get } = await start(s.mod, { timeoutOffsetMs: 500 });
    const t0 = Date.now();
    const r = await get('/probe?module=slow&target=late.ok.test', {
      'X-Prometheus-Scrape-Timeout-Seconds': '1',
    });
    const took = Date.now() - t0;
    assert.equal(r.status, 200);
    assert.match(r.body, /^xfed_probe_success 0$/m);
    assert.match(r.body, /^xfed_probe_timeout 1$/m);
    assert.ok(took >= 450 && took < 2500, `answered after ${took} ms, expected about 500`);
    // The module was given a step deadline no longer than the probe's budget.
    assert.ok((s.calls[0]?.timeoutMs ?? Infinity) <= 500);
  });

  it('reuses a finished probe within --cache-ttl and joins identical probes in flight', async () => {
    const s = scripted(100);
    const { get } = await start(s.mod, { cacheTtlMs: 5000 });
    await Promise.all([
      get('/probe?module=slow&target=c.ok.test'),
      get('/probe?module=slow&target=c.ok.test'),
    ]);
    assert.equal(s.calls.length, 1, 'identical probes in flight ran once');
    await get('/probe?module=slow&target=c.ok.test');
    assert.equal(s.calls.length, 1, 'answered from the cache');
    await get('/probe?module=slow&target=c.ok.test&as=other.test');
    assert.equal(s.calls.length, 2, 'another "as" is another probe');
    const m = await get('/metrics');
    assert.match(m.body, /^xfed_exporter_cache_hits_total 2$/m);
    assert.match(m.body, /^xfed_exporter_probes_total\{module="slow",result="success"\} 2$/m);
    assert.match(m.body, /^xfed_exporter_process_resident_memory_bytes \d+/m);
  });

  it('refuses an "as" that is not one of ours when --as is given', async () => {
    const { get } = await start(scripted(1).mod, { config: { caPems: [], as: ['us.test'], warnDays: 30 } });
    assert.equal((await get('/probe?module=slow&target=a.ok.test&as=us.test')).status, 200);
    assert.equal((await get('/probe?module=slow&target=a.ok.test&as=them.test')).status, 403);
  });

  it('on shutdown, a running probe still answers; new requests are refused', async () => {
    const s = scripted(400);
    const { e, get } = await start(s.mod);
    const running = get('/probe?module=slow&target=broken.ok.test');
    await new Promise((r) => setTimeout(r, 100));
    const stopped = e.shutdown(5000);
    const r = await running;
    assert.equal(r.status, 200);
    assert.match(r.body, /^xfed_probe_success 0$/m);
    assert.match(
      r.body,
      /^xfed_finding\{id="dns\.domain\.nxdomain",severity="error",target="broken\.ok\.test"\} 1$/m,
    );
    await stopped;
    await assert.rejects(get('/metrics'));
  });
});
