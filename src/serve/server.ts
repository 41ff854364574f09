/**
 * The `xfed serve` HTTP exporter, in the style of Prometheus's blackbox_exporter:
 *   GET /probe?module=srv|tls|doctor&target=<domain>[&as=<our domain>]  one probe, Prometheus text
 *   GET /metrics                                                        the exporter's own metrics
 * Probes run through the modules (src/serve/modules.ts), bounded in number (--concurrency;
 * a queue of at most --max-queue waits, further requests get 503), each within a deadline
 * (X-Prometheus-Scrape-Timeout-Seconds minus an offset, capped by --probe-timeout). The same
 * probe asked again within --cache-ttl is answered from the cache, and identical probes in
 * flight are run once. Targets must match --allow (403 otherwise). shutdown() stops taking
 * requests and lets running probes answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { UsageError } from '../cli/errors.js';
import { parseDomain } from '../cli/validate.js';
import type { Report } from '../report/model.js';
import { renderProbeMetrics } from '../report/prometheus.js';
import { safeText } from '../report/untrusted.js';
import { type AllowPattern, isAllowed } from './allow.js';
import { MODULES, type ModuleConfig, type ProbeModule } from './modules.js';

export interface ServeOptions {
  allow: readonly AllowPattern[];
  config: ModuleConfig;
  /** Probes running at once. */
  concurrency: number;
  /** Requests waiting for a probe slot at most; more get 503 at once. */
  maxQueue: number;
  /** Longest a probe may take when Prometheus sends no scrape timeout, in ms. */
  probeTimeoutMs: number;
  /** Deadline of each network step inside a probe, at most (the probe deadline caps it too). */
  stepTimeoutMs: number;
  /** Subtracted from Prometheus's scrape timeout so the answer arrives in time, in ms. */
  timeoutOffsetMs: number;
  /** How long a finished probe's report is reused, in ms (0: no cache). */
  cacheTtlMs: number;
  /** Module registry (tests may pass their own). */
  modules?: ReadonlyMap<string, ProbeModule>;
}

/** Query and header values are bounded before anything else looks at them. */
const MAX_URL = 2048;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A counting semaphore with a bounded queue. */
class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(
    private readonly limit: number,
    private readonly maxQueue: number,
  ) {}
  get inFlight(): number {
    return this.running;
  }
  get queued(): number {
    return this.waiting.length;
  }
  /** Resolves when a slot is free; false when the queue is full. */
  acquire(): Promise<void> | false {
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueue) return false;
    return new Promise((resolve) => {
      this.waiting.push(() => {
        this.running++;
        resolve();
      });
    });
  }
  release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}

interface CacheEntry {
  at: number;
  report?: Report;
  pending?: Promise<Report>;
}

export class Exporter {
  readonly registry = new Registry();
  private readonly server: http.Server;
  private readonly slots: Slots;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly modules: ReadonlyMap<string, ProbeModule>;
  private closing = false;
  private readonly running = new Set<Promise<unknown>>();
  private readonly m: {
    probes: Counter<string>;
    duration: Histogram<string>;
    inFlight: Gauge<string>;
    queued: Gauge<string>;
    cacheHits: Counter<string>;
    refused: Counter<string>;
  };

  constructor(private readonly opts: ServeOptions) {
    this.modules = opts.modules ?? MODULES;
    this.slots = new Slots(opts.concurrency, opts.maxQueue);
    const reg = [this.registry];
    processMetrics(this.registry);
    this.m = {
      probes: new Counter({
        name: 'xfed_exporter_probes_total',
        help: 'Probes answered, by module and result (success, failure, timeout, cached).',
        labelNames: ['module', 'result'],
        registers: reg,
      }),
      duration: new Histogram({
        name: 'xfed_exporter_probe_duration_seconds',
        help: 'Wall time of probes that ran (not cached), by module.',
        labelNames: ['module'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: reg,
      }),
      inFlight: new Gauge({
        name: 'xfed_exporter_probes_in_flight',
        help: 'Probes running now.',
        registers: reg,
      }),
      queued: new Gauge({
        name: 'xfed_exporter_probes_queued',
        help: 'Probe requests waiting for a free slot.',
        registers: reg,
      }),
      cacheHits: new Counter({
        name: 'xfed_exporter_cache_hits_total',
        help: 'Probe requests answered from the result cache or joined to the same probe in flight.',
        registers: reg,
      }),
      refused: new Counter({
        name: 'xfed_exporter_requests_refused_total',
        help: 'Requests refused, by reason (bad-request, forbidden, overloaded, shutting-down, not-found).',
        labelNames: ['reason'],
        registers: reg,
      }),
    };
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.send(res, 500, `internal error: ${safeText(String(err))}\n`);
      });
    });
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 0;
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /**
   * Graceful stop: no new connections or requests (503), running probes finish and answer
   * (at most graceMs), then idle connections are closed.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.allSettled([...this.running]), deadline]);
    this.server.closeIdleConnections();
    await Promise.race([closed, deadline]);
    this.server.closeAllConnections();
  }

  private send(
    res: http.ServerResponse,
    status: number,
    body: string,
    contentType = 'text/plain; charset=utf-8',
  ) {
    if (res.headersSent) return void res.end();
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
      ...(this.closing ? { Connection: 'close' } : {}),
    });
    res.end(body);
  }

  private refuse(res: http.ServerResponse, status: number, reason: string, message: string): void {
    this.m.refused.inc({ reason });
    this.send(res, status, `${safeText(message, { max: 500 })}\n`);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.closing) return this.refuse(res, 503, 'shutting-down', 'xfed serve is shutting down');
    if ((req.url ?? '').length > MAX_URL) return this.refuse(res, 414, 'bad-request', 'request URL too long');
    const url = new URL(req.url ?? '/', 'http://exporter.invalid');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return this.refuse(res, 405, 'bad-request', 'only GET is supported');
    }
    if (url.pathname === '/metrics') {
      this.m.inFlight.set(this.slots.inFlight);
      this.m.queued.set(this.slots.queued);
      return this.send(res, 200, await this.registry.metrics(), this.registry.contentType);
    }
    if (url.pathname === '/probe') {
      try {
        return await this.probe(url.searchParams, req, res);
      } catch (e) {
        if (e instanceof HttpError) {
          const reason = e.status === 403 ? 'forbidden' : e.status === 503 ? 'overloaded' : 'bad-request';
          return this.refuse(res, e.status, reason, e.message);
        }
        throw e;
      }
    }
    if (url.pathname === '/') {
      const mods = [...this.modules.values()].map(
        (m) => `  ${m.name}${m.available ? '' : ' (not available)'}`,
      );
      return this.send(
        res,
        200,
        `xfed serve: GET /probe?module=<module>&target=<domain>[&as=<our domain>], GET /metrics\nmodules:\n${mods.join('\n')}\n`,
      );
    }
    return this.refuse(res, 404, 'not-found', 'not found; try /probe or /metrics');
  }

  /** The probe's deadline: Prometheus's scrape timeout minus the offset, capped by --probe-timeout. */
  private budgetMs(req: http.IncomingMessage): number {
    const header = req.headers['x-prometheus-scrape-timeout-seconds'];
    const scrape = typeof header === 'string' ? Number(header) : Number.NaN;
    if (!Number.isFinite(scrape) || scrape <= 0) return this.opts.probeTimeoutMs;
    return Math.max(100, Math.min(this.opts.probeTimeoutMs, scrape * 1000 - this.opts.timeoutOffsetMs));
  }

  private async probe(
    q: URLSearchParams,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const started = Date.now();
    const name = q.get('module');
    if (!name) throw new HttpError(400, 'missing module parameter (module=srv, tls or doctor)');
    const mod = this.modules.get(name);
    if (!mod) {
      throw new HttpError(400, `unknown module "${name}"; modules: ${[...this.modules.keys()].join(', ')}`);
    }
    if (!mod.available) throw new HttpError(400, mod.reason);
    const rawTarget = q.get('target');
    if (!rawTarget) throw new HttpError(400, 'missing target parameter (target=<domain>)');
    const target = domainOr400(rawTarget, 'target');
    if (!isAllowed(target, this.opts.allow)) {
      throw new HttpError(403, `target "${target}" is not allowed by --allow`);
    }
    const rawAs = q.get('as');
    const as = rawAs ? domainOr400(rawAs, 'as') : this.opts.config.as[0];
    if (rawAs && this.opts.config.as.length > 0 && !this.opts.config.as.includes(as as string)) {
      throw new HttpError(403, `as "${as}" is not one of our domains (--as)`);
    }
    const budget = this.budgetMs(req);
    const key = `${mod.name}\u0000${target}\u0000${mod.usesAs ? (as ?? '') : ''}`;

    const cached = this.cache.get(key);
    let pending: Promise<Report>;
    let cachedHit = false;
    if (cached?.report && Date.now() - cached.at < this.opts.cacheTtlMs) {
      pending = Promise.resolve(cached.report);
      cachedHit = true;
    } else if (cached?.pending) {
      pending = cached.pending;
      cachedHit = true;
    } else {
      const slot = this.slots.acquire();
      if (slot === false) throw new HttpError(503, 'too many probes waiting; try again later');
      pending = this.run(mod, target, as, slot, started, budget, key);
    }
    if (cachedHit) this.m.cacheHits.inc();

    const remaining = Math.max(0, budget - (Date.now() - started));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), remaining);
    });
    const report = await Promise.race([pending.catch(() => undefined), timeout]);
    clearTimeout(timer);
    const durationSeconds = (Date.now() - started) / 1000;
    const timedOut = report === undefined;
    this.m.probes.inc({
      module: mod.name,
      result: cachedHit ? 'cached' : timedOut ? 'timeout' : report.status === 'fail' ? 'failure' : 'success',
    });
    const out = await renderProbeMetrics({
      module: mod.name,
      target,
      ...(report ? { report } : {}),
      durationSeconds: report && cachedHit ? report.durationMs / 1000 : durationSeconds,
      timedOut,
    });
    this.send(res, 200, out.body, out.contentType);
  }

  /** Runs one probe in a slot: waits for it, runs the module, caches the report. */
  private run(
    mod: Extract<ProbeModule, { available: true }>,
    target: string,
    as: string | undefined,
    slot: Promise<void>,
    started: number,
    budget: number,
    key: string,
  ): Promise<Report> {
    this.m.queued.set(this.slots.queued);
    const p = (async () => {
      await slot;
      try {
        // Time spent in the queue comes off the budget; each network step gets what is left.
        const left = Math.max(100, budget - (Date.now() - started));
        const t0 = Date.now();
        const report = await mod.probe(
          { target, ...(as ? { as } : {}), timeoutMs: Math.min(this.opts.stepTimeoutMs, left) },
          this.opts.config,
        );
        this.m.duration.observe({ module: mod.name }, (Date.now() - t0) / 1000);
        this.cache.set(key, { at: Date.now(), report });
        this.prune();
        return report;
      } catch (e) {
        this.cache.delete(key);
        throw e;
      } finally {
        this.slots.release();
      }
    })();
    this.cache.set(key, { at: Date.now(), pending: p });
    this.running.add(p);
    p.then(
      () => this.running.delete(p),
      () => this.running.delete(p),
    );
    return p;
  }

  /** Drops expired cache entries, so the cache cannot grow with the number of targets asked. */
  private prune(): void {
    const now = Date.now();
    for (const [k, v] of this.cache) {
      if (v.report && now - v.at >= this.opts.cacheTtlMs) this.cache.delete(k);
    }
  }
}

/**
 * The process's own resource use. prom-client's default collectors are not used: three of
 * them are gauges named *_total, which `promtool check metrics` rejects.
 */
function processMetrics(reg: Registry): void {
  const registers = [reg];
  new Gauge({
    name: 'xfed_exporter_process_resident_memory_bytes',
    help: 'Resident set size of the exporter, in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'xfed_exporter_process_heap_used_bytes',
    help: 'V8 heap in use, in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  let lastCpu = 0;
  new Counter({
    name: 'xfed_exporter_process_cpu_seconds_total',
    help: 'User and system CPU time of the exporter, in seconds.',
    registers,
    collect() {
      const u = process.cpuUsage();
      const now = (u.user + u.system) / 1e6;
      this.inc(Math.max(0, now - lastCpu));
      lastCpu = now;
    },
  });
  new Gauge({
    name: 'xfed_exporter_process_start_time_seconds',
    help: 'When the exporter started, as a Unix timestamp.',
    registers,
  }).set(Math.round(Date.now() / 1000 - process.uptime()));
}

function domainOr400(raw: string, what: string): string {
  try {
    return parseDomain(raw, what).ascii;
  } catch (e) {
    if (e instanceof UsageError) throw new HttpError(400, e.detail);
    throw e;
  }
}
