/**
 * The exporter's probe modules (`/probe?module=…`): each composes a command's pipeline
 * (src/pipeline/*-pipeline.ts) and returns its Report; none gathers or judges by itself. A
 * module that is not part of this build is registered as unavailable, so the request gets a
 * clear 400 instead of "unknown module"; plugging a new command in is one entry here.
 */
import { planTarget } from '../cli/tls-options.js';
import type { DoctorOptions } from '../gather/doctor.js';
import type { TlsProbeOptions } from '../gather/tls.js';
import { doctorPipeline } from '../pipeline/doctor-pipeline.js';
import { runTarget } from '../pipeline/run.js';
import { srvPipeline } from '../pipeline/srv-pipeline.js';
import { tlsPipeline } from '../pipeline/tls-pipeline.js';
import type { Report } from '../report/model.js';

/** Options from flags or the config file, shared by every probe. */
export interface ModuleConfig {
  /** Extra trust anchors (--ca), PEM. */
  caPems: string[];
  /** Our domains (--as); the first is the default for `as`. */
  as: string[];
  /** Our certificate and key files (--cert, --key), for modules that present one. */
  cert?: string;
  key?: string;
  /** --cert/--key loaded at start-up: presented by the doctor module for `as`. */
  clientTls?: TlsProbeOptions['clientTls'];
  /** Resolvers (--resolver); default /etc/resolv.conf. */
  resolvers?: { host: string; port: number }[];
  /** --warn-days for certificate expiry. */
  warnDays: number;
}

/** One probe as requested: a validated target (A-label domain), our domain, its step deadline. */
export interface ProbeRequest {
  target: string;
  as?: string;
  timeoutMs: number;
}

export type ProbeModule =
  | {
      name: string;
      available: true;
      summary: string;
      /** The module uses `as` (our domain). */
      usesAs: boolean;
      probe(req: ProbeRequest, cfg: ModuleConfig): Promise<Report>;
    }
  | { name: string; available: false; reason: string };

const srv: ProbeModule = {
  name: 'srv',
  available: true,
  summary: 'check srv: the DNS records other servers use to reach the domain',
  usesAs: false,
  probe: (req, cfg) =>
    runTarget(srvPipeline(cfg.resolvers ? { resolvers: cfg.resolvers } : {}), req.target, {
      timeoutMs: req.timeoutMs,
      transcript: false,
      options: { module: 'srv', timeoutMs: req.timeoutMs },
    }),
};

const tls: ProbeModule = {
  name: 'tls',
  available: true,
  summary: 'probe tls: reach the domain like a federating server, STARTTLS, certificate',
  usesAs: true,
  probe: (req, cfg) => {
    const t = planTarget(req.target, { directTls: false });
    const opts = {
      caPems: cfg.caPems,
      warnDays: cfg.warnDays,
      allTargets: false,
      ...(req.as ? { from: req.as } : {}),
      ...(cfg.resolvers ? { resolvers: cfg.resolvers } : {}),
    };
    return runTarget(tlsPipeline(t, opts), t.report, {
      timeoutMs: req.timeoutMs,
      transcript: false,
      options: { module: 'tls', from: req.as, warnDays: cfg.warnDays, timeoutMs: req.timeoutMs },
    });
  },
};

/** `xfed doctor`: both directions between `as` and the target (the peer side only without `as`). */
const doctor: ProbeModule = {
  name: 'doctor',
  available: true,
  summary: 'doctor: does the target federate with `as`, in each direction, and who must fix what',
  usesAs: true,
  probe: (req, cfg) => {
    const opts: DoctorOptions = {
      peer: req.target,
      caPems: cfg.caPems,
      warnDays: cfg.warnDays,
      ...(req.as && req.as !== req.target ? { our: req.as } : {}),
      ...(req.as && cfg.clientTls ? { clientTls: cfg.clientTls } : {}),
      ...(cfg.resolvers ? { resolvers: cfg.resolvers } : {}),
    };
    return runTarget(doctorPipeline(opts), req.target, {
      timeoutMs: req.timeoutMs,
      transcript: false,
      options: { module: 'doctor', as: opts.our ?? null, warnDays: cfg.warnDays, timeoutMs: req.timeoutMs },
    });
  },
};

export const MODULES: ReadonlyMap<string, ProbeModule> = new Map([srv, tls, doctor].map((m) => [m.name, m]));
