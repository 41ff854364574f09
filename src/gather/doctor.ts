/**
 * Gathers DoctorFacts by composing the existing gatherers (never copying them): one DnsView
 * resolves each domain once; then, in parallel, probe tls of every target of both domains,
 * dialback verify both ways and, with --listen, the full dialback handshake. Facts only.
 */
import type { DoctorFacts } from '../facts/doctor.js';
import type { ProbeContext } from '../pipeline/run.js';
import {
  type DialbackNetOptions,
  type DialbackOptions,
  gatherDialback,
  gatherDialbackVerify,
} from './dialback.js';
import { DnsView } from './srv.js';
import { gatherTls, type TlsProbeOptions, type TlsTarget } from './tls.js';

export interface DoctorOptions {
  peer: string;
  /** --as; without it only the peer's side is checked. */
  our?: string;
  caPems: string[];
  warnDays: number;
  resolvers?: { host: string; port: number }[];
  /** --cert/--key for our domain. */
  clientTls?: TlsProbeOptions['clientTls'];
  /** --listen: the full handshake (needs --as). */
  dialback?: Omit<DialbackOptions, keyof DialbackNetOptions>;
  /** Test knob, see TlsProbeOptions.ticketWaitMaxRttMs. */
  ticketWaitMaxRttMs?: number;
}

function domainTarget(domain: string): TlsTarget {
  return { input: domain, report: domain, kind: 'domain', domain, directTls: false, viaConnect: false };
}

export async function gatherDoctor(o: DoctorOptions, ctx: ProbeContext): Promise<DoctorFacts> {
  const dns = new DnsView(o.resolvers ? { resolvers: o.resolvers } : {});
  const domains = o.our ? [o.peer, o.our] : [o.peer];
  // Layer 1: DNS of both domains, once; every later layer reads this view.
  const srv = await Promise.all(domains.map((d) => dns.srv(d, ctx)));
  const tlsBase: Omit<TlsProbeOptions, 'from'> = {
    caPems: o.caPems,
    warnDays: o.warnDays,
    allTargets: true,
    dns,
    ...(o.resolvers ? { resolvers: o.resolvers } : {}),
    ...(o.ticketWaitMaxRttMs !== undefined ? { ticketWaitMaxRttMs: o.ticketWaitMaxRttMs } : {}),
  };
  const net = (our: string, withCert: boolean): DialbackNetOptions => ({
    our,
    caPems: o.caPems,
    dns,
    ...(o.resolvers ? { resolvers: o.resolvers } : {}),
    ...(withCert && o.clientTls ? { clientTls: { cert: o.clientTls.cert, key: o.clientTls.key } } : {}),
  });
  // Layers 2 and 3, independent of each other: run them side by side.
  const peerOpts: TlsProbeOptions = { ...tlsBase };
  if (o.our) peerOpts.from = o.our;
  if (o.our && o.clientTls) peerOpts.clientTls = o.clientTls;
  const our = o.our;
  // With --listen our domain is served by doctor's own listener: start the handshake first so
  // the listener is bound before the probes of our domain from outside connect to it.
  const handshake =
    our && o.dialback ? gatherDialback(o.peer, { ...net(our, true), ...o.dialback }, ctx) : undefined;
  const [dialback, peerTls, ourTls, peerVerify, ourVerify] = await Promise.all([
    handshake,
    gatherTls(domainTarget(o.peer), peerOpts, ctx),
    our ? gatherTls(domainTarget(our), { ...tlsBase, from: o.peer }, ctx) : undefined,
    our ? gatherDialbackVerify(o.peer, net(our, true), ctx) : undefined,
    our ? gatherDialbackVerify(our, net(o.peer, false), ctx) : undefined,
  ]);
  const facts: DoctorFacts = {
    peer: o.peer,
    dns: srv,
    peerTls,
    timeoutMs: ctx.timeoutMs,
    checkedAt: new Date().toISOString(),
  };
  if (our) facts.our = our;
  if (ourTls) facts.ourTls = ourTls;
  if (peerVerify) facts.peerVerify = peerVerify;
  if (ourVerify) facts.ourVerify = ourVerify;
  if (dialback) facts.dialback = dialback;
  if (o.clientTls) facts.clientCert = o.clientTls.facts;
  return facts;
}
