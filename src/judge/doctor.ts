/**
 * doctor's judgement (issue 9): the existing rules of every layer, run over the facts gathered
 * once, then one verdict per direction. First broken layer wins: findings of the layers that
 * depend on it are dropped and those layers reported `not-checked` with the blocking finding's
 * id; a finding seen by two layers for the same target appears once. Pure: facts in.
 */
import type { DialbackVerifyFacts } from '../facts/dialback.js';
import type { DoctorFacts } from '../facts/doctor.js';
import type { SrvFacts } from '../facts/srv.js';
import type { AttemptFacts, TlsProbeFacts } from '../facts/tls.js';
import type { Finding, Layer, LayerCheck, Report, Status, Verdict } from '../report/model.js';
import { statusOf } from '../report/model.js';
import { type Hit, hit, toFinding } from './judge.js';
import { dialbackRules, dialbackVerifyRules } from './rules/dialback.js';
import { dnsRules } from './rules/dns.js';
import { tlsProbeRules } from './rules/tls.js';

export const LAYERS: readonly Layer[] = ['dns', 'tcp', 'stream', 'tls', 'certificate', 'auth'];

/** The layer a finding id belongs to (by area; xmpp.target.* by what it is about). */
export function layerOf(id: string, evidence: Record<string, unknown> = {}): Layer {
  if (id.startsWith('dns.') || id === 'xmpp.target.no-address') return 'dns';
  if (id === 'xmpp.target.failover' && typeof evidence.problemId === 'string')
    return layerOf(evidence.problemId);
  if (id.startsWith('tcp.')) return 'tcp';
  if (id.startsWith('tls.')) return 'tls';
  if (id.startsWith('cert.')) return 'certificate';
  if (id.startsWith('sasl.') || id.startsWith('xmpp.auth.') || id.startsWith('dialback.')) return 'auth';
  if (id.startsWith('doctor.auth.')) return 'auth';
  return 'stream';
}

/** How a direction is written in findings and checks. */
export function directionLabel(from: string | null, to: string): string {
  return from ? `${from} → ${to}` : `→ ${to}`;
}

interface DirectionInput {
  from: string | null;
  to: string;
  srv: SrvFacts | undefined;
  tls: TlsProbeFacts;
  verify?: DialbackVerifyFacts;
  /** Extra auth-layer hits (the full handshake, not-checked notes). */
  authExtra: Hit[];
  /** SASL EXTERNAL was attempted (our → peer with --cert). */
  certGiven: boolean;
  /** The question of certificate authentication in this direction cannot be asked from here. */
  externalUncheckable?: string;
}

interface Judged {
  verdict: Verdict;
  findings: Finding[];
  checks: LayerCheck[];
}

const isError = (f: Finding) => f.severity === 'error';

/** The attempt that completed TLS and was used (the first one), if any. */
function usedAttempt(t: TlsProbeFacts): AttemptFacts | undefined {
  return t.attempts.find((a) => a.tlsEstablished);
}

function judgeDirection(d: DirectionInput): Judged {
  const direction = directionLabel(d.from, d.to);
  const probeHits = tlsProbeRules.flatMap((r) => r(d.tls));
  // A peer that refused the probe for want of a certificate refuses dialback verify's
  // connection the same way: that is one finding (the probe's), not a second stream error.
  const certRefused = new Set(
    probeHits
      .filter((h) => h.id === 'xmpp.auth.certificate-required' || h.id === 'xmpp.auth.certificate-rejected')
      .map((h) => String(h.evidence.endpoint)),
  );
  const verifyHits = (
    d.verify ? dialbackVerifyRules.flatMap((r) => r(d.verify as DialbackVerifyFacts)) : []
  ).filter((h) => !(h.id === 'xmpp.stream.not-authorized' && certRefused.has(String(h.evidence.endpoint))));
  const hits: Hit[] = [
    ...(d.srv ? dnsRules.flatMap((r) => r(d.srv as SrvFacts)) : []),
    ...probeHits,
    ...verifyHits,
    ...d.authExtra,
  ];
  const probeIds = new Set(probeHits.map((h) => h.id));
  // One finding per id and evidence: DNS errors come both from the DNS layer and from the
  // probe's "nothing to connect to" rule, stream errors from probe tls and dialback verify.
  const seen = new Set<string>();
  const all: Finding[] = [];
  for (const h of hits) {
    const key = `${h.id} ${JSON.stringify(h.evidence)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    all.push({ ...toFinding(h), direction, layer: layerOf(h.id, h.evidence) });
  }
  const inLayer = (l: Layer) => all.filter((f) => f.layer === l);
  const firstError = (l: Layer) => inLayer(l).find(isError);

  // Which layer broke first.
  let broken: Layer | null = null;
  let blocking: Finding | undefined;
  const used = usedAttempt(d.tls);
  if (d.tls.resolution.targets.length === 0) {
    broken = 'dns';
    blocking = firstError('dns');
  } else if (!used) {
    for (const l of ['tcp', 'stream', 'tls'] as const) {
      blocking = firstError(l);
      if (blocking) {
        broken = l;
        break;
      }
    }
    if (!broken) {
      broken = 'tls';
      blocking = all.find(isError);
    }
  } else if (firstError('certificate')) {
    broken = 'certificate';
    blocking = firstError('certificate');
  } else if (used.secureStream?.failed) {
    // The stream over TLS failed (e.g. host-unknown only after TLS): a stream problem, unless
    // it was the peer's refusal to authenticate us (an auth-layer finding, judged below).
    const streamError = inLayer('stream').find((f) => isError(f) && probeIds.has(f.id as Hit['id']));
    if (streamError) {
      broken = 'stream';
      blocking = streamError;
    }
  }

  // Authentication, when everything below it held.
  let via: Verdict['via'] = null;
  let status: Verdict['status'] = broken ? 'broken' : 'works';
  let reason: string | null = blocking?.title ?? null;
  let fixOn: string | null = broken ? d.to : null;
  if (!broken) {
    const sasl = used?.sasl;
    const saslFinding = inLayer('auth').find(
      (f) => f.id.startsWith('sasl.') || f.id.startsWith('xmpp.auth.certificate'),
    );
    const verifyOk = d.verify?.answer?.outcome === 'invalid';
    const handshakeOk = all.some((f) => f.id === 'dialback.result.valid');
    if (sasl?.outcome === 'success') {
      via = 'sasl-external';
      reason = null;
    } else if (verifyOk || handshakeOk) {
      via = 'dialback';
      reason = d.certGiven
        ? saslFinding
          ? `SASL EXTERNAL ${saslFinding.id === 'sasl.external.not-offered' ? 'not offered' : 'refused'}: ${saslFinding.title}`
          : null
        : (d.externalUncheckable ?? 'SASL EXTERNAL not checked: pass --cert/--key');
    } else {
      blocking = firstError('auth');
      if (!d.verify) {
        // No --as: authentication could not be tried at all.
        status = 'unknown';
        reason = 'authentication not checked: needs --as <your domain>';
      } else if (blocking?.id === 'xmpp.auth.certificate-required' && !d.certGiven) {
        // The peer wants a certificate and none was shown: the question is open, not failed.
        status = 'unknown';
        reason = `${blocking.title}; pass --cert/--key`;
        fixOn = null;
      } else {
        status = 'broken';
        broken = 'auth';
        reason = blocking?.title ?? 'no authentication method succeeded';
        // Our certificate is ours to fix; a peer that does not answer dialback is theirs.
        const ours =
          blocking &&
          (blocking.id.startsWith('sasl.') ||
            blocking.id === 'xmpp.auth.certificate-rejected' ||
            blocking.id.startsWith('dialback.our-cert'));
        fixOn = ours && d.from ? d.from : d.to;
      }
    }
  }

  // Findings of layers that depend on the broken one are not reported; their checks say why.
  const cut = broken ? LAYERS.indexOf(broken) : LAYERS.length;
  const findings = all.filter((f) => LAYERS.indexOf(f.layer as Layer) <= cut);
  const checks: LayerCheck[] = LAYERS.map((layer, i) => {
    if (broken && i > cut) {
      return { direction, layer, status: 'not-checked', findingId: blocking?.id ?? null };
    }
    if (layer === broken) return { direction, layer, status: 'broken', findingId: blocking?.id ?? null };
    if (layer === 'auth' && status === 'unknown') {
      const c: LayerCheck = { direction, layer, status: 'not-checked', findingId: blocking?.id ?? null };
      if (reason) c.reason = reason;
      return c;
    }
    return { direction, layer, status: 'ok', findingId: null };
  });
  const verdict: Verdict = {
    from: d.from,
    to: d.to,
    status,
    via,
    brokenLayer: status === 'broken' ? broken : null,
    findingId: status === 'works' ? null : (blocking?.id ?? null),
    fixOn: status === 'broken' ? fixOn : null,
    reason,
  };
  return { verdict, findings, checks };
}

/** Everything doctor reports besides the facts: findings with direction and layer, verdicts, checks. */
export function concludeDoctor(f: DoctorFacts): {
  findings: Finding[];
  extra: Pick<Report, 'verdicts' | 'checks'>;
  status: Status;
} {
  const srvOf = (domain: string) => f.dns.find((s) => s.domain === domain);
  const out: Judged[] = [];
  const our = f.our ?? null;
  const outboundExtra: Hit[] = [];
  if (our && !f.clientCert) outboundExtra.push(hit('doctor.auth.cert-not-checked', { peer: f.peer, our }));
  if (f.dialback) outboundExtra.push(...dialbackRules.flatMap((r) => r(f.dialback!)));
  if (!our) {
    outboundExtra.push(
      hit('doctor.scope.peer-only', {
        peer: f.peer,
        missing: [
          'dialback verify in both directions',
          'your own domain as seen from outside (DNS, targets, certificate)',
          'SASL EXTERNAL with your certificate',
        ],
      }),
    );
  }
  const outbound: DirectionInput = {
    from: our,
    to: f.peer,
    srv: srvOf(f.peer),
    tls: f.peerTls,
    authExtra: outboundExtra,
    certGiven: f.clientCert !== undefined,
  };
  if (f.peerVerify) outbound.verify = f.peerVerify;
  out.push(judgeDirection(outbound));
  if (our && f.ourTls) {
    const inbound: DirectionInput = {
      from: f.peer,
      to: our,
      srv: srvOf(our),
      tls: f.ourTls,
      authExtra: [],
      certGiven: false,
      externalUncheckable: `SASL EXTERNAL of ${f.peer} not checkable from here: needs its certificate`,
    };
    if (f.ourVerify) inbound.verify = f.ourVerify;
    out.push(judgeDirection(inbound));
  }
  const findings = out.flatMap((j) => j.findings);
  const verdicts = out.map((j) => j.verdict);
  let status = statusOf(findings);
  if (verdicts.some((v) => v.status === 'broken')) status = 'fail';
  return { findings, extra: { verdicts, checks: out.flatMap((j) => j.checks) }, status };
}
