/**
 * Dialback rules (XEP-0220, XEP-0185, XEP-0199): name the step of the handshake that failed
 * and its likely cause, from the facts of both roles — the peer's answer on our originating
 * stream, and what reached our listener meanwhile. Connection problems before dialback
 * (DNS, TCP, stream, STARTTLS, TLS, certificate) are judged by the probe tls rules, so they
 * carry the same ids as there. Pure: facts in, hits out; wording in catalog/dialback.ts.
 */
import type {
  DialbackAnswerFacts,
  DialbackFacts,
  DialbackKeyFacts,
  DialbackVerifyFacts,
  InboundSessionFacts,
  OurCertFacts,
  OutboundFacts,
} from '../../facts/dialback.js';
import type { TlsProbeFacts } from '../../facts/tls.js';
import { sameDomain } from '../../protocol/dialback/names.js';
import { matchIdentity, presentedNames } from '../../protocol/tls/identity.js';
import type { FindingId } from '../catalog/index.js';
import { type Hit, hit, type Rule } from '../judge.js';
import { tlsProbeRules } from './tls.js';
import { type StreamContext, stepFailureHits } from './xmpp.js';

/** Error conditions of a db:result answer (XEP-0220 §2.5) with their own id. */
const RESULT_ERROR_IDS: Record<string, FindingId> = {
  'remote-server-not-found': 'dialback.result.remote-server-not-found',
  'remote-connection-failed': 'dialback.result.remote-connection-failed',
  'remote-server-timeout': 'dialback.result.remote-server-timeout',
  'item-not-found': 'dialback.result.item-not-found',
  'not-allowed': 'dialback.result.not-allowed',
  'policy-violation': 'dialback.result.policy-violation',
  'not-authorized': 'dialback.result.not-authorized',
  forbidden: 'dialback.result.forbidden',
};

/**
 * Stream errors in answer to our db:result that report a failed callback: RFC 3920 §8.3 had the
 * receiving server close with remote-connection-failed, and some servers still do (or send the
 * stanza condition remote-server-not-found as a stream error). Same meaning, same id as the
 * type='error' answer, whose fix names our DNS and port.
 */
const CALLBACK_STREAM_ERRORS = new Set([
  'remote-connection-failed',
  'remote-server-not-found',
  'remote-server-timeout',
]);

/** Stream errors that mean something specific in answer to a dialback request. */
const STREAM_ERROR_IDS: Record<string, FindingId> = {
  'not-authorized': 'dialback.stream.not-authorized',
  'policy-violation': 'dialback.stream.policy-violation',
};

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The endpoint the outbound stream used (the last attempt), or the domain when none connected. */
function endpointOf(o: OutboundFacts | undefined, fallback: string): string {
  const a = o?.attempts[o.attempts.length - 1];
  return a?.connect.ok ? a.endpoint : fallback;
}

/** The outbound stream as probe tls facts, so the probe tls rules judge the connection. */
function asProbeFacts(o: OutboundFacts, from: string, timeoutMs: number, checkedAt: string): TlsProbeFacts {
  return {
    target: o.domain,
    kind: 'domain',
    domain: o.domain,
    from,
    resolution: o.resolution,
    attempts: o.attempts,
    allTargets: false,
    timeoutMs,
    checkedAt,
  };
}

function connectionHits(o: OutboundFacts, from: string, timeoutMs: number, checkedAt: string): Hit[] {
  const pf = asProbeFacts(o, from, timeoutMs, checkedAt);
  return tlsProbeRules.flatMap((r) => r(pf));
}

/**
 * Dialback not offered on a ready stream. When neither dialback nor SASL EXTERNAL was offered
 * after TLS, xmpp.auth.none (probe tls rules) already says so.
 */
function notOfferedHits(o: OutboundFacts, peer: string, our: string): Hit[] {
  if (!o.ready || o.dialbackOffered) return [];
  const a = o.attempts[o.attempts.length - 1];
  const s = a?.secureStream ?? a?.stream;
  const features = s?.features;
  const external = (features?.saslMechanisms ?? []).some((m) => m.toUpperCase() === 'EXTERNAL');
  if (a?.secureStream && features && !external) return [];
  return [
    hit('dialback.feature.not-offered', {
      peer,
      our,
      endpoint: a?.endpoint ?? peer,
      tls: a?.tlsEstablished ?? false,
      features: features?.all ?? [],
    }),
  ];
}

/** One listener session in a few words (facts, not verdicts). */
function sessionSummary(s: InboundSessionFacts): string {
  const parts = [s.remote];
  if (s.tls)
    parts.push(
      s.tls.ok
        ? `TLS ${s.tls.protocol ?? ''}`.trim()
        : `TLS failed (${s.tls.alert ?? s.tls.reason ?? 'error'})`,
    );
  else if (s.starttlsRefused) parts.push('asked for STARTTLS without a certificate on the listener');
  for (const r of s.results)
    parts.push(`its own db:result for ${r.from}, answered ${r.answer ?? 'nothing yet'}`);
  for (const v of s.verifies) parts.push(`db:verify for ${v.to} answered ${v.answer}`);
  if (s.streamErrorReceived) parts.push(`stream error ${s.streamErrorReceived.condition}`);
  if (s.end) parts.push(`ended: ${s.end.how}`);
  return parts.join(', ');
}

function callbackText(f: DialbackFacts): string {
  if (f.sessions.length === 0) return 'no connection reached the listener';
  return f.sessions.map(sessionSummary).join('; ');
}

/** db:verify requests from others than the peer: evidence, never the peer's callback. */
function thirdPartyText(f: DialbackFacts): string[] {
  return f.sessions.flatMap((s) =>
    (s.thirdParty ?? []).map((v) => `${s.remote}: db:verify from ${v.from} to ${v.to}, answered ${v.answer}`),
  );
}

function baseEvidence(f: DialbackFacts): Record<string, unknown> {
  return {
    thirdParty: thirdPartyText(f),
    peer: f.peer,
    our: f.our,
    endpoint: endpointOf(f.originating, f.peer),
    listen: hostPort(f.listener.host, f.callbackTarget?.port ?? f.listener.port),
    callbacks: f.sessions.length,
    callback: callbackText(f),
    ourTargets: (f.ourDns?.connect ?? []).map((c) => `${c.host} ${hostPort(c.ip, c.port)}`),
  };
}

/**
 * What went wrong at the listener, if anything explains a failed result: the peer sent a key
 * we did not issue, its TLS failed, its own key could not be verified (Prosody and jabberd2 style), or it
 * connected without asking. Undefined when no session exists or the callback was answered.
 */
function callbackProblem(f: DialbackFacts, base: Record<string, unknown>): Hit | undefined {
  const ss = f.sessions;
  if (ss.length === 0) return undefined;
  const starttls = !f.listener.tls ? ss.find((s) => s.starttlsRefused || s.closedWithoutTls) : undefined;
  if (starttls) return starttlsHit(starttls, base);
  const rejected = peerKeyRejected(f, base);
  if (rejected) return rejected;
  for (const s of ss) {
    const bad = s.verifies.find((v) => sameDomain(v.to, f.our) && !v.keyMatches);
    if (bad) {
      return hit('dialback.callback.key-mismatch', {
        ...base,
        remote: s.remote,
        from: bad.from,
        to: bad.to,
        id: bad.id,
        idIsOurStream: bad.idIsOurStream,
        idNote: bad.idIsOurStream
          ? 'is the id of the originating stream'
          : `is not the id of the originating stream (${f.resultSent?.streamId ?? 'none'})`,
      });
    }
  }
  if (ss.some((s) => s.verifies.some((v) => sameDomain(v.to, f.our)))) return undefined;
  // A callback that ended (or went silent) right after the TLS handshake, before even the
  // restarted stream header, explains the missing db:verify better than no-verify does, even
  // once, when no other callback got any further. So does one that restarted the stream and
  // then ended when we asked for a client certificate (jabberd2 2.7 sometimes drops one such
  // callback and does not call back again before the timeout). Otherwise a callback that
  // restarted the stream and closed without asking stays no-verify unless the listener stopped.
  const asked = f.listener.requestClientCert === true;
  const cutBeforeHeader = (s: InboundSessionFacts) =>
    s.closedAfterTls === true && (asked || !s.streams.some((x) => x.encrypted));
  const onlyCutAfterTls =
    ss.some(cutBeforeHeader) &&
    ss.every(
      (s) =>
        cutBeforeHeader(s) ||
        (s.results.length === 0 && s.stanzas.length === 0 && (s.tls === undefined || s.tls.ok)),
    );
  if (
    f.listener.stopped?.reason === 'closed-after-tls' ||
    (f.listener.closedAfterTls ?? 0) >= 3 ||
    onlyCutAfterTls
  )
    return closedAfterTlsHit(f, base);
  const tlsFailed = ss.find((s) => s.tls && !s.tls.ok);
  if (tlsFailed?.tls) {
    return hit('dialback.callback.tls-failed', {
      ...base,
      remote: tlsFailed.remote,
      alert: tlsFailed.tls.alert ?? tlsFailed.tls.reason ?? 'error',
      message: tlsFailed.tls.message ?? '',
      certSubject: f.listener.certSubject ?? null,
    });
  }
  for (const s of ss) {
    const r = s.results.find(
      (x) => sameDomain(x.to, f.our) && x.answer !== undefined && x.answer !== 'valid',
    );
    if (r) {
      const a = r.verification?.answer;
      const verification = a
        ? `${a.outcome}${a.condition ? ` (${a.condition})` : ''} from ${endpointOf(r.verification?.outbound, r.from)}`
        : r.verification
          ? `no stream to ${r.from} (${r.verification.outbound.attempts.length} address(es) tried)`
          : 'not attempted';
      return hit('dialback.callback.reverse-failed', {
        ...base,
        from: r.from,
        verification,
        answer: `${r.answer}${r.condition ? ` (${r.condition})` : ''}`,
      });
    }
  }
  return hit('dialback.callback.no-verify', { ...base, sessions: ss.map(sessionSummary) });
}

/**
 * The peer's own db:result, sent to our listener, answered invalid by the peer's own
 * authoritative server (found through the peer's DNS): its nodes do not share the secret.
 */
function peerKeyRejected(f: DialbackFacts, base: Record<string, unknown>): Hit | undefined {
  for (const s of f.sessions) {
    const r = s.results.find(
      (x) => sameDomain(x.from, f.peer) && x.verification?.answer?.outcome === 'invalid',
    );
    if (!r?.verification) continue;
    const sentAt = f.resultSent?.atMs;
    return hit('dialback.callback.peer-key-rejected', {
      ...base,
      remote: s.remote,
      authority: endpointOf(r.verification.outbound, f.peer),
      stopMs: f.stoppedEarly && sentAt !== undefined ? f.stoppedEarly.atMs - sentAt : null,
    });
  }
  return undefined;
}

function closedAfterTlsHit(f: DialbackFacts, base: Record<string, unknown>): Hit {
  const closed = f.sessions.filter((s) => s.closedAfterTls);
  const asked = f.listener.requestClientCert === true;
  return hit('dialback.callback.closed-after-tls', {
    ...base,
    count: closed.length,
    maxSessions: f.listener.maxSessions ?? null,
    refused: f.listener.refusedConnections,
    remotes: closed.slice(0, 5).map((s) => s.remote),
    why: asked
      ? 'the listener asked for a TLS client certificate (--request-client-cert), which some servers cannot handle on a callback: jabberd2 2.7 completes such a handshake, drops the connection and reconnects in a tight loop.'
      : `it did not accept the certificate xfed presented for ${f.our} (${f.listener.certSubject ?? 'the --cert file'}): some servers check it only after the handshake and drop the connection without a TLS alert.`,
    fix: asked
      ? `Rerun without --request-client-cert: xfed dialback ${f.peer} --as ${f.our} --cert <cert> --key <key>.`
      : `Check that the --cert file names ${f.our} and chains, with its intermediates, to a CA ${f.peer} trusts (xfed probe tls from ${f.peer}'s side shows the same verdict); then look at ${f.peer}'s log for the reason it drops the callback.`,
  });
}

function starttlsHit(s: InboundSessionFacts, base: Record<string, unknown>): Hit {
  return hit('dialback.callback.starttls-unavailable', {
    ...base,
    remote: s.remote,
    how: s.starttlsRefused
      ? 'sent <starttls/>; the listener has no certificate and answered <failure/>'
      : 'saw no STARTTLS offered and closed the connection without a word',
  });
}

/** The hit for a run that stopped early, when callbackProblem did not already name it. */
function stoppedHit(f: DialbackFacts, base: Record<string, unknown>): Hit | undefined {
  switch (f.stoppedEarly?.reason) {
    case 'closed-after-tls':
      return closedAfterTlsHit(f, base);
    case 'peer-key-rejected':
      return peerKeyRejected(f, base);
    case 'starttls-unavailable': {
      const s = f.sessions.find((x) => x.starttlsRefused || x.closedWithoutTls);
      return s ? starttlsHit(s, base) : undefined;
    }
    default:
      return undefined;
  }
}

/** Hits for a stream error or unreadable XML in answer to a dialback request. */
function streamFailureHits(
  a: DialbackAnswerFacts,
  base: Record<string, unknown>,
  step: string,
  domain: string,
): Hit[] {
  if (!a.failure) return [];
  const failure = { ...a.failure, step };
  const id = a.outcome === 'stream-error' ? STREAM_ERROR_IDS[a.condition ?? ''] : undefined;
  if (id) return [hit(id, { ...base, step, condition: a.condition, text: a.text ?? null })];
  const c: StreamContext = { endpoint: String(base.endpoint), domain };
  if (typeof base.our === 'string') c.from = base.our;
  return stepFailureHits(failure, c);
}

/** The first dialback session that asked about our stream, and how. */
function callbackStyle(f: DialbackFacts): string {
  for (const s of f.sessions) {
    const v = s.verifies.find((x) => x.idIsOurStream);
    if (!v) continue;
    const ownFirst = s.results.some((r) => r.atMs <= v.atMs);
    return `${s.remote} ${ownFirst ? 'authenticated its own connection with db:result first, then sent db:verify (Prosody and jabberd2 style)' : 'sent db:verify at once (ejabberd style)'}, answered ${v.answer}`;
  }
  return 'none: the peer did not call back (it may have accepted the certificate of the originating connection, XEP-0344)';
}

/**
 * Our certificate must name our domain (RFC 6120 §13.7.1.2, XEP-0178 §3), as DNS-ID, SRV-ID
 * or XmppAddr: peers that check it refuse the callback otherwise, and lenient ones hide the
 * problem, so it is said whatever the handshake's outcome.
 */
function ourCertHits(c: OurCertFacts | undefined, our: string, peer: string): Hit[] {
  if (!c || matchIdentity(our, c, 'xmpp-server').matched) return [];
  return [
    hit('dialback.our-cert.name-mismatch', {
      our,
      peer,
      file: c.file ?? '--cert',
      subject: c.subject,
      names: presentedNames(c, 'xmpp-server'),
    }),
  ];
}

function stepsText(f: DialbackFacts): string[] {
  return f.steps.map(
    (s) => `${s.step} ${s.step === 'callback' || s.step === 'verify-answered' ? '+' : ''}${s.durationMs} ms`,
  );
}

// ---------------------------------------------------------------------------------------
// xfed dialback

export const listenerRule: Rule<DialbackFacts> = (f) => {
  const listen = hostPort(f.listener.host, f.listener.port);
  const l = f.listener;
  if (!l.ok) {
    if (l.code === 'EADDRINUSE') {
      const h = l.holder;
      const who = h?.command
        ? `${h.command}${h.pid ? ` (pid ${h.pid})` : ''} on ${h.address}`
        : h
          ? `a process xfed cannot name${l.root ? '' : ' (not root)'} on ${h.address}`
          : 'another process';
      const wildcard = h && /^(0\.0\.0\.0|\[::\]):/.test(h.address);
      return [
        hit('dialback.listener.port-in-use', {
          listen,
          port: l.port,
          holder: who,
          wildcard: wildcard
            ? ` (${h.address.split(':')[0] === '0.0.0.0' ? '0.0.0.0' : '[::]'} covers every address of the machine, so only stopping it frees the port)`
            : '',
          peer: f.peer,
          our: f.our,
        }),
      ];
    }
    const privileged = l.code === 'EACCES' && l.port < 1024;
    const reason = privileged
      ? l.root
        ? 'xfed runs as root, so a security module or container policy forbids the bind.'
        : 'Ports below 1024 need root or CAP_NET_BIND_SERVICE.'
      : l.code === 'EADDRNOTAVAIL'
        ? `${l.host} is not an address of this machine.`
        : 'The system refused the address.';
    const other = `pick another address with --listen <ip:port> and point the SRV record of ${f.our} at it`;
    const advice = privileged
      ? l.root
        ? `Check the policy that forbids it (SELinux, AppArmor, a container without NET_BIND_SERVICE), or ${other}.`
        : `Run xfed as root or with CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep on node), or ${other}.`
      : `Use --listen with an address of this machine (ip addr shows them), or ${other}.`;
    return [
      hit('dialback.listener.bind-failed', {
        listen,
        code: l.code ?? 'error',
        message: l.message ?? '',
        reason,
        advice,
        peer: f.peer,
        our: f.our,
      }),
    ];
  }
  // Once a callback needed STARTTLS, callback.starttls-unavailable says it as the error.
  if (f.sessions.some((s) => s.starttlsRefused || s.closedWithoutTls)) return [];
  return l.tls ? [] : [hit('dialback.listener.no-tls', { listen, peer: f.peer, our: f.our })];
};

export const ourCertRule: Rule<DialbackFacts> = (f) => ourCertHits(f.ourCert, f.our, f.peer);

export const originatingConnectionRule: Rule<DialbackFacts> = (f) => {
  if (!f.listener.ok || !f.originating) return [];
  return [
    ...connectionHits(f.originating, f.our, f.timeoutMs, f.checkedAt),
    ...notOfferedHits(f.originating, f.peer, f.our),
  ];
};

export const resultRule: Rule<DialbackFacts> = (f) => {
  const o = f.originating;
  if (!o?.ready || !o.dialbackOffered) return [];
  const base = baseEvidence(f);
  if (!o.streamId) return [hit('dialback.stream.missing-id', base)];
  const r = f.result;
  if (!r) return [];
  const problem = callbackProblem(f, base);
  // Our listener without TLS is the cause; whatever the peer answered follows from it.
  if (problem?.id === 'dialback.callback.starttls-unavailable') return [problem];
  const withProblem = (h: Hit) => (problem ? [h, problem] : [h]);
  const evidence = {
    ...base,
    condition: r.condition ?? null,
    errorType: r.errorType ?? null,
    text: r.text ?? null,
  };
  switch (r.outcome) {
    case 'valid': {
      const started = f.steps.find((s) => s.step === 'dns')?.atMs ?? 0;
      return [
        hit('dialback.result.valid', {
          ...base,
          totalMs: r.atMs - started,
          resultMs: r.durationMs,
          callback: callbackStyle(f),
          steps: stepsText(f),
          keyEchoed: r.keyEchoed ?? false,
        }),
      ];
    }
    case 'invalid':
      return withProblem(hit('dialback.result.invalid', evidence));
    case 'error':
      return withProblem(hit(RESULT_ERROR_IDS[r.condition ?? ''] ?? 'dialback.result.error', evidence));
    case 'timeout':
      if (problem) return [problem];
      if (f.sessions.length === 0) {
        return [
          hit('dialback.callback.timeout', {
            ...base,
            timeoutMs: f.resultTimeoutMs,
            endedBy: 'xfed stopped waiting (--callback-timeout)',
            ourTld: f.our.split('.').pop(),
          }),
        ];
      }
      return [hit('dialback.result.timeout', { ...base, timeoutMs: f.resultTimeoutMs })];
    case 'closed':
      return withProblem(hit('dialback.result.closed', { ...base, closedBy: r.failure?.closedBy ?? 'eof' }));
    case 'stopped': {
      const h = problem ?? stoppedHit(f, base);
      return h ? [h] : [];
    }
    default:
      // The peer gave up waiting for its own callback (Prosody closes incomplete sessions after
      // s2s_timeout): the callback never reached the listener, which is the cause to name.
      if (r.outcome === 'stream-error' && r.condition === 'connection-timeout' && f.sessions.length === 0) {
        return [
          hit('dialback.callback.timeout', {
            ...base,
            timeoutMs: r.durationMs,
            endedBy: 'the peer closed the stream with connection-timeout',
            ourTld: f.our.split('.').pop(),
          }),
        ];
      }
      if (r.outcome === 'stream-error' && CALLBACK_STREAM_ERRORS.has(r.condition ?? '')) {
        return withProblem(hit(RESULT_ERROR_IDS[r.condition ?? ''] ?? 'dialback.result.error', evidence));
      }
      return [...streamFailureHits(r, base, 'db:result', f.peer), ...(problem ? [problem] : [])];
  }
};

/** XEP-0199: any reply proves the route back; errors about reaching a remote server do not. */
export const pingRule: Rule<DialbackFacts> = (f) => {
  const p = f.ping;
  if (!p) return [];
  const base = baseEvidence(f);
  if (p.outcome === 'stopped') {
    const h = stoppedHit(f, base);
    return h ? [h] : [];
  }
  if (p.outcome === 'result' || (p.outcome === 'error' && !p.condition?.startsWith('remote-server'))) {
    return [
      hit('dialback.ping.ok', {
        ...base,
        type: p.outcome,
        condition: p.condition ?? null,
        via:
          p.via === 'listener' ? 'the peer\u2019s own connection to the listener' : 'the originating stream',
        durationMs: p.durationMs,
      }),
    ];
  }
  if (p.outcome === 'error') {
    return [
      hit('dialback.ping.error', { ...base, condition: p.condition, type: p.errorType ?? null, text: null }),
    ];
  }
  const own = f.sessions.filter((s) => s.results.length > 0 || s.stanzas.length > 0);
  const reverse =
    own.length > 0
      ? own.map(sessionSummary).join('; ')
      : 'no connection from the peer for its own traffic reached the listener';
  return [
    hit('dialback.ping.no-reply', { ...base, timeoutMs: f.resultTimeoutMs, outcome: p.outcome, reverse }),
  ];
};

export const dialbackRules: readonly Rule<DialbackFacts>[] = [
  listenerRule,
  ourCertRule,
  originatingConnectionRule,
  resultRule,
  pingRule,
];

// ---------------------------------------------------------------------------------------
// xfed dialback verify

export const verifyConnectionRule: Rule<DialbackVerifyFacts> = (f) => {
  // Once the plaintext check has observed the policy, its finding says it (one fact, one
  // finding); tls.starttls.optional stays for runs where nothing was checked.
  const checked = f.plaintext !== undefined && f.plaintext.outcome !== 'not-checked';
  // Every address asked is judged together, as probe tls judges its targets (failover vs. error).
  const outbound = f.targets
    ? { ...f.outbound, attempts: f.targets.flatMap((t) => t.outbound.attempts) }
    : f.outbound;
  return [
    ...ourCertHits(f.ourCert, f.our, f.peer),
    ...connectionHits(outbound, f.our, f.timeoutMs, f.checkedAt).filter(
      (h) => !(checked && h.id === 'tls.starttls.optional'),
    ),
    ...notOfferedHits(f.outbound, f.peer, f.our),
  ];
};

export const verifyAnswerRule: Rule<DialbackVerifyFacts> = (f) => {
  const a = f.answer;
  if (!a || !f.request) return [];
  const base = { peer: f.peer, our: f.our, endpoint: endpointOf(f.outbound, f.peer) };
  const notice = hit('dialback.verify.impersonation-notice', { ...base, id: f.request.id });
  const answer = (): Hit[] => {
    switch (a.outcome) {
      case 'invalid':
        return [
          hit('dialback.verify.invalid', {
            ...base,
            durationMs: a.durationMs,
            keyEchoed: a.keyEchoed ?? false,
          }),
        ];
      case 'valid':
        return [hit('dialback.verify.valid', base)];
      case 'error':
        return [
          hit('dialback.verify.error', {
            ...base,
            condition: a.condition ?? 'undefined-condition',
            errorType: a.errorType ?? null,
            text: a.text ?? null,
          }),
        ];
      case 'timeout':
        return [
          hit('dialback.verify.timeout', {
            ...base,
            timeoutMs: a.failure?.timeoutMs ?? f.timeoutMs,
            ignored: a.ignored,
          }),
        ];
      case 'closed':
        return [hit('dialback.verify.closed', { ...base, closedBy: a.failure?.closedBy ?? 'eof' })];
      default:
        return streamFailureHits(a, base, 'db:verify', f.peer);
    }
  };
  return [...answer(), notice];
};

/** STARTTLS offered without <required/>: what the request on a stream that skipped it got. */
export const plaintextRule: Rule<DialbackVerifyFacts> = (f) => {
  const p = f.plaintext;
  if (!p || p.outcome === 'not-checked') return [];
  const base = { endpoint: p.endpoint, domain: f.peer };
  if (p.outcome === 'answered') {
    return [
      hit('tls.starttls.plaintext-accepted', {
        ...base,
        answer: `${p.answer ?? 'other'}${p.condition ? ` (${p.condition})` : ''}`,
        waitedMs: p.waitedMs ?? null,
      }),
    ];
  }
  const how =
    p.outcome === 'ignored' ? 'ignored' : p.outcome === 'closed' ? 'dropped the stream after' : 'refused';
  const detail =
    p.outcome === 'ignored'
      ? `no answer within ${p.waitedMs ?? '?'} ms`
      : p.outcome === 'closed'
        ? `connection closed after ${p.waitedMs ?? '?'} ms`
        : `stream error ${p.condition ?? 'undefined-condition'}`;
  return [hit('tls.starttls.enforced-unadvertised', { ...base, how, detail })];
};

/**
 * The other addresses asked (every target, issue 13): an answer other than the healthy
 * `invalid` from any of them is judged like the main answer, naming that address.
 */
export const verifyTargetsRule: Rule<DialbackVerifyFacts> = (f) =>
  (f.targets ?? [])
    .filter((t) => t.answer && t.answer !== f.answer && t.answer.outcome !== 'invalid')
    .flatMap((t) =>
      verifyAnswerRule({ ...f, outbound: t.outbound, ...(t.answer ? { answer: t.answer } : {}) }).filter(
        (h) => h.id !== 'dialback.verify.impersonation-notice',
      ),
    );

export const dialbackVerifyRules: readonly Rule<DialbackVerifyFacts>[] = [
  verifyConnectionRule,
  verifyAnswerRule,
  plaintextRule,
  verifyTargetsRule,
];

// ---------------------------------------------------------------------------------------
// xfed dialback key

export const keyRule: Rule<DialbackKeyFacts> = (f) => {
  const base = { receiving: f.receiving, originating: f.originating, streamId: f.streamId };
  if (f.match === undefined) {
    return [hit('dialback.key.computed', { ...base, ...f.computed, secretLength: f.secretLength })];
  }
  if (f.match === 'xep0185') return [hit('dialback.key.match-xep0185', { ...base, observed: f.observed })];
  if (f.match === 'jabberd') return [hit('dialback.key.match-jabberd', { ...base, observed: f.observed })];
  return [
    hit('dialback.key.no-match', {
      ...base,
      observed: f.observed,
      observedLength: f.observedLength,
      ...f.computed,
      secretLength: f.secretLength,
    }),
  ];
};

export const dialbackKeyRules: readonly Rule<DialbackKeyFacts>[] = [keyRule];
