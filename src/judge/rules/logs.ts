/**
 * Rules for `xfed logs`: events and sessions read from the servers' own logs become findings,
 * one per condition and peer, with the first line that shows it as evidence (file, line, quote)
 * and how many lines said the same. Pure: facts in, hits out.
 */
import type { LogEvent, LogFacts, LogRef, LogSession } from '../../facts/logs.js';
import type { FindingId } from '../catalog/index.js';
import { type Hit, hit, type Rule } from '../judge.js';

type Evidence = Record<string, unknown>;

function at(ref: LogRef): Evidence {
  return { file: ref.file, line: ref.line, quote: ref.quote, ...(ref.time ? { time: ref.time } : {}) };
}

/** Groups events by a key, keeping the first as evidence and counting the rest. */
function grouped(
  events: LogEvent[],
  key: (e: LogEvent) => string,
): { first: LogEvent; count: number; all: LogEvent[] }[] {
  const m = new Map<string, { first: LogEvent; count: number; all: LogEvent[] }>();
  for (const e of events) {
    const k = key(e);
    const g = m.get(k);
    if (g) {
      g.count++;
      g.all.push(e);
    } else m.set(k, { first: e, count: 1, all: [e] });
  }
  return [...m.values()];
}

const SERVER = {
  prosody: 'Prosody',
  ejabberd: 'ejabberd',
  xcp: 'Cisco XCP',
  expressway: 'Expressway',
} as const;

function hostOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url.replace(/^<|>$/g, '')).hostname;
  } catch {
    return undefined;
  }
}

// --- AXL ---------------------------------------------------------------------------------------

const axl: Rule<LogFacts> = (f) => {
  const failed = f.events.filter((e) => e.kind === 'axl.response' && !/^2\d\d$/.test(e.status ?? ''));
  // The answer lines may lack the URL; the request line before it names the server.
  const lastUrl = (e: LogEvent) => {
    if (e.url) return e.url;
    const i = f.events.indexOf(e);
    for (let j = i - 1; j >= 0; j--) {
      const c = f.events[j] as LogEvent;
      if (c.kind === 'axl.request' && c.url && c.at.file === e.at.file) return c.url;
    }
    return undefined;
  };
  return grouped(failed, (e) => `${e.status}|${hostOfUrl(lastUrl(e)) ?? ''}`).map(({ first, count }) => {
    const url = lastUrl(first);
    const id: FindingId =
      first.status === '401'
        ? 'logs.axl.unauthorized'
        : first.status === '403'
          ? 'logs.axl.forbidden'
          : 'logs.axl.failed';
    return hit(id, {
      ...at(first.at),
      count,
      status: first.status,
      reason: first.reason ?? '(none)',
      function: first.function ?? 'executeSQLQuery',
      url: url?.replace(/^<|>$/g, '') ?? '(not logged)',
      host: hostOfUrl(url) ?? 'the IM and Presence publisher',
    });
  });
};

// --- Federation toggled --------------------------------------------------------------------------

const FAILURE_KINDS = new Set([
  'dialback.invalid',
  'dialback.failed',
  'dialback.timeout',
  'dns.failed',
  'connect.refused',
  'connect.timeout',
  's2s.failed',
  'tls.failed',
  'cert.rejected',
  'cert.missing',
  'tls.required',
  'xcp.component-failed',
]);

function isFailure(e: LogEvent): boolean {
  return FAILURE_KINDS.has(e.kind) || (e.kind === 'axl.response' && !/^2\d\d$/.test(e.status ?? ''));
}

function after(a: LogEvent, b: LogEvent, events: LogEvent[]): boolean {
  if (a.at.time && b.at.time) return b.at.time >= a.at.time;
  return events.indexOf(b) > events.indexOf(a);
}

const federation: Rule<LogFacts> = (f) => {
  const toggles = f.events.filter((e) => e.kind === 'federation.toggled');
  if (toggles.length === 0) return [];
  const last = toggles[toggles.length - 1] as LogEvent;
  const change =
    last.status === '0->1' ? 'on (0->1)' : last.status === '1->0' ? 'off (1->0)' : `(${last.status})`;
  const failures = f.events.filter((e) => isFailure(e) && after(last, e, f.events));
  if (failures.length === 0) return [hit('logs.federation.toggled', { ...at(last.at), change })];
  const first = failures[0] as LogEvent;
  return [
    hit('logs.federation.restart-needed', {
      ...at(last.at),
      change,
      failures: failures.length,
      failureFile: first.at.file,
      failureLine: first.at.line,
      failureQuote: first.at.quote,
    }),
  ];
};

// --- Dialback ------------------------------------------------------------------------------------

/** Domains that have a DNS or connection failure: the cause behind a later timeout or verify error. */
function failedDomains(f: LogFacts): Set<string> {
  const s = new Set<string>();
  for (const e of f.events)
    if (['dns.failed', 'connect.refused', 'connect.timeout'].includes(e.kind)) {
      for (const d of [e.peer, e.to, e.host]) if (d) s.add(d);
      if (e.sessionIndex !== undefined) {
        const sess = f.sessions[e.sessionIndex];
        if (sess?.to) s.add(sess.to);
      }
    }
  return s;
}

function sessionOf(f: LogFacts, e: LogEvent): LogSession | undefined {
  return e.sessionIndex === undefined ? undefined : f.sessions[e.sessionIndex];
}

function eventsOf(f: LogFacts, index: number | undefined): LogEvent[] {
  return index === undefined ? [] : f.events.filter((e) => e.sessionIndex === index);
}

/** The last time seen in a file (any event), to tell whether a deadline passed. */
function lastTimeIn(f: LogFacts, file: string): string | undefined {
  return f.sources.find((s) => s.name === file)?.lastTime;
}

const callbackTimeout: Rule<LogFacts> = (f) => {
  const hits: Hit[] = [];
  const broken = failedDomains(f);
  f.sessions.forEach((s, i) => {
    const evs = eventsOf(f, i);
    const scheduled = evs.find((e) => e.step === 'timeout-scheduled');
    if (!scheduled?.at.time) return;
    const seconds = Number(scheduled.reason) || 30;
    const deadline = Date.parse(scheduled.at.time) + seconds * 1000;
    const answered = evs.some(
      (e) =>
        (e.step === 'connected' || e.step === 'verify-answer' || e.kind === 'dialback.invalid') &&
        (!e.at.time || Date.parse(e.at.time) <= deadline),
    );
    if (answered) return;
    const last = lastTimeIn(f, scheduled.at.file);
    if (!last || Date.parse(last) < deadline) return; // the log ends before the deadline: cannot tell
    const from = scheduled.from ?? s.from;
    const to = scheduled.to ?? s.to;
    if (from && broken.has(from)) return;
    const sent = evs.find((e) => e.step === 'result-sent') ?? scheduled;
    hits.push(
      hit('logs.dialback.callback-timeout', {
        ...at(sent.at),
        count: 1,
        from: from ?? '(unknown)',
        to: to ?? '(unknown)',
        seconds,
      }),
    );
  });
  return hits;
};

const resolveFailed: Rule<LogFacts> = (f) =>
  grouped(
    f.events.filter((e) => e.kind === 'dns.failed' && (e.family === 'xcp' || e.family === 'expressway')),
    (e) => e.peer ?? e.at.quote,
  ).map(({ first, count }) =>
    hit('logs.dialback.resolve-failed', {
      ...at(first.at),
      count,
      domain: first.peer ?? '(not logged)',
      query: first.query ?? '_xmpp-server._tcp.<originating domain>',
    }),
  );

/** The `xfed dialback key` command line for an invalid verification, with what the logs give. */
function keyCommand(f: LogFacts, e: LogEvent): string {
  const evs = [e, ...eventsOf(f, e.sessionIndex)];
  const from = e.from ?? sessionOf(f, e)?.from;
  const to = e.to ?? sessionOf(f, e)?.to ?? evs.find((x) => x.to)?.to;
  const streamId = evs.find((x) => x.streamId)?.streamId;
  const key = evs.find((x) => x.key)?.key;
  return `XFED_DIALBACK_SECRET=\u2026 xfed dialback key --receiving ${to ?? '<receiving domain>'} --originating ${from ?? '<originating domain>'} --stream-id ${streamId ?? '<stream id from the receiving server\u2019s stream header>'} --key ${key ?? '<key from the db:result>'}`;
}

/** The receiving domain: for the authoritative side's own complaint, the server that asked. */
function receivingOf(f: LogFacts, e: LogEvent): string | undefined {
  const s = sessionOf(f, e);
  return e.direction === 'in' && e.from === s?.to ? s?.from : s?.to;
}

const verifyInvalid: Rule<LogFacts> = (f) =>
  grouped(
    f.events.filter((e) => e.kind === 'dialback.invalid'),
    (e) => `${e.from ?? sessionOf(f, e)?.from}|${e.to ?? sessionOf(f, e)?.to}`,
  ).map(({ first, count }) =>
    hit('logs.dialback.verify-invalid', {
      ...at(first.at),
      count,
      from: first.from ?? sessionOf(f, first)?.from ?? '(unknown)',
      to: first.to ?? receivingOf(f, first) ?? '(unknown)',
      keyCommand: keyCommand(f, first),
    }),
  );

const verifyError: Rule<LogFacts> = (f) => {
  const broken = failedDomains(f);
  return grouped(
    f.events.filter((e) => e.kind === 'dialback.failed' && !(e.from && broken.has(e.from))),
    (e) => `${e.from}|${e.to}`,
  ).map(({ first, count }) =>
    hit('logs.dialback.verify-error', {
      ...at(first.at),
      count,
      from: first.from ?? sessionOf(f, first)?.from ?? '(unknown)',
      to: first.to ?? sessionOf(f, first)?.to ?? '(unknown)',
      reason: first.reason ?? (first.answer ? `type=${first.answer}` : '(not logged)'),
    }),
  );
};

const receiverTimeout: Rule<LogFacts> = (f) => {
  const broken = failedDomains(f);
  return grouped(
    f.events.filter((e) => e.kind === 'dialback.timeout' && !(e.from && broken.has(e.from))),
    (e) => `${e.from}|${e.to}`,
  ).map(({ first, count }) =>
    hit('logs.dialback.receiver-timeout', { ...at(first.at), count, from: first.from, to: first.to }),
  );
};

const dialbackValid: Rule<LogFacts> = (f) => {
  const ok = f.sessions
    .map((s, i) => ({ s, evs: eventsOf(f, i) }))
    .filter(({ s, evs }) => s.outcome === 'established' && evs.some((e) => e.kind === 'dialback.step'));
  const byPair = new Map<string, { count: number; last: LogEvent; s: LogSession }>();
  for (const { s, evs } of ok) {
    const last =
      evs.filter((e) => e.step === 'verify-answer' || e.step === 'connected').pop() ??
      (evs[evs.length - 1] as LogEvent);
    const k = `${s.from}|${s.to}`;
    const g = byPair.get(k);
    if (g) {
      g.count++;
      g.last = last;
    } else byPair.set(k, { count: 1, last, s });
  }
  return [...byPair.values()].map(({ count, last, s }) =>
    hit('logs.dialback.valid', {
      ...at(last.at),
      count,
      from: s.from ?? '(unknown)',
      to: s.to ?? '(unknown)',
    }),
  );
};

// --- Cisco internal XCP and TLS ------------------------------------------------------------------

const xcpInternal: Rule<LogFacts> = (f) => {
  const refused = f.events.filter(
    (e) =>
      (e.kind === 'connect.refused' || e.kind === 'connect.timeout') &&
      (e.family === 'xcp' || e.family === 'expressway'),
  );
  const hits = grouped(refused, (e) => `${e.host}:${e.port}`).map(({ first, count }) =>
    hit('logs.xcp.internal-refused', {
      ...at(first.at),
      count,
      host: first.host ?? '(unknown)',
      port: first.port ?? 7400,
    }),
  );
  if (hits.length > 0) return hits;
  return grouped(
    f.events.filter((e) => e.kind === 'xcp.component-failed'),
    (e) => e.peer ?? '',
  ).map(({ first, count }) =>
    hit('logs.xcp.component-failed', { ...at(first.at), count, component: first.peer ?? '(unknown)' }),
  );
};

/** ejabberd logs one failed handshake on two lines of one session: keep the first. */
function onePerSession(events: LogEvent[]): LogEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    if (!e.session) return true;
    const k = `${e.at.file}|${e.session}|${e.reason}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const tlsFailed: Rule<LogFacts> = (f) =>
  grouped(
    onePerSession(f.events.filter((e) => e.kind === 'tls.failed')),
    (e) => `${e.host ?? e.peer ?? e.to}|${e.identity}|${e.reason}`,
  ).map(({ first, count }) => {
    const peer = first.host
      ? first.port
        ? `${first.host}:${first.port}`
        : first.host
      : (first.peer ?? first.to ?? 'the peer');
    return hit('logs.tls.negotiation-failed', {
      ...at(first.at),
      count,
      peer,
      identity: first.identity ?? '(not logged)',
      identityNote: first.identity ? ` (certificate ${first.identity})` : ' (no certificate identity logged)',
      reason: first.reason ?? '(not logged)',
    });
  });

// --- Prosody / ejabberd s2s ----------------------------------------------------------------------

const CERT_IDS: Record<string, FindingId> = {
  expired: 'logs.s2s.cert-expired',
  untrusted: 'logs.s2s.cert-untrusted',
  'self-signed': 'logs.s2s.cert-untrusted',
  name: 'logs.s2s.cert-name-mismatch',
  invalid: 'logs.s2s.cert-rejected',
};

function peerOf(f: LogFacts, e: LogEvent): string {
  const s = sessionOf(f, e);
  return e.peer ?? (e.direction === 'in' ? (e.from ?? s?.from) : (e.to ?? s?.to)) ?? e.from ?? '(unknown)';
}

const certs: Rule<LogFacts> = (f) => {
  const hits: Hit[] = [];
  const missingSessions = new Set(
    f.events.filter((e) => e.kind === 'cert.missing').map((e) => e.sessionIndex ?? `${e.at.file}:${e.peer}`),
  );
  const rejected = f.events.filter(
    (e) => e.kind === 'cert.rejected' && !missingSessions.has(e.sessionIndex ?? `${e.at.file}:${e.peer}`),
  );
  for (const { first, count } of grouped(rejected, (e) => `${peerOf(f, e)}|${e.certProblem}`)) {
    hits.push(
      hit(CERT_IDS[first.certProblem ?? 'invalid'] ?? 'logs.s2s.cert-rejected', {
        ...at(first.at),
        count,
        server: SERVER[first.family],
        peer: peerOf(f, first),
        problem: first.certProblem ?? 'invalid',
        reason: first.reason ?? '(not logged)',
      }),
    );
  }
  for (const { first, count } of grouped(
    f.events.filter((e) => e.kind === 'cert.missing'),
    (e) => peerOf(f, e),
  ))
    hits.push(
      hit('logs.s2s.secure-auth-no-cert', {
        ...at(first.at),
        count,
        server: SERVER[first.family],
        peer: peerOf(f, first),
      }),
    );
  // A refusal by the same server says more than its tolerated-validation line; other servers' logs stand apart.
  const rejectedPeers = new Set(
    f.events
      .filter((e) => e.kind === 'cert.rejected' || e.kind === 'cert.missing')
      .map((e) => `${e.at.file}|${peerOf(f, e)}`),
  );
  for (const { first, count } of grouped(
    f.events.filter((e) => e.kind === 'cert.tolerated' && !rejectedPeers.has(`${e.at.file}|${peerOf(f, e)}`)),
    (e) => `${peerOf(f, e)}|${e.certProblem}`,
  ))
    hits.push(
      hit('logs.s2s.cert-tolerated', {
        ...at(first.at),
        count,
        peer: peerOf(f, first),
        problem: first.certProblem ?? 'invalid',
        reason: first.reason ?? '(not logged)',
      }),
    );
  return hits;
};

const encryptionRequired: Rule<LogFacts> = (f) =>
  grouped(
    f.events.filter((e) => e.kind === 'tls.required'),
    (e) => peerOf(f, e),
  ).map(({ first, count }) =>
    hit('logs.s2s.encryption-required', { ...at(first.at), count, peer: peerOf(f, first) }),
  );

const S2S_IDS: Record<string, FindingId> = {
  'dns.failed': 'logs.s2s.dns-failed',
  'connect.refused': 'logs.s2s.connect-refused',
  'connect.timeout': 'logs.s2s.connect-timeout',
  's2s.failed': 'logs.s2s.connect-failed',
};

const s2sFailures: Rule<LogFacts> = (f) => {
  const peerFamilies = (e: LogEvent) => e.family === 'prosody' || e.family === 'ejabberd';
  const all = f.events.filter((e) => peerFamilies(e) && e.kind in S2S_IDS);
  const domainOf = (e: LogEvent) => e.peer ?? e.to ?? sessionOf(f, e)?.to ?? '(unknown)';
  // A specific failure (DNS, refused, timeout) explains the generic bounce line of the same session or domain.
  const specific = all.filter((e) => e.kind !== 's2s.failed');
  const explained = new Set(specific.flatMap((e) => [domainOf(e), `#${e.sessionIndex}`]));
  const kept = all.filter(
    (e) =>
      e.kind !== 's2s.failed' ||
      !(explained.has(domainOf(e)) || (e.sessionIndex !== undefined && explained.has(`#${e.sessionIndex}`))),
  );
  return grouped(kept, (e) => `${e.kind}|${domainOf(e)}`).map(({ first, count, all: group }) => {
    const domain = domainOf(first);
    const withReason = group.find((e) => e.reason && e.kind !== 's2s.failed') ?? first;
    return hit(S2S_IDS[first.kind] as FindingId, {
      ...at(first.at),
      count,
      server: SERVER[first.family],
      domain,
      query: first.query ?? `_xmpp-server._tcp.${domain}`,
      reason:
        withReason.kind === 's2s.failed' ? 'not logged at this level' : (withReason.reason ?? '(not logged)'),
    });
  });
};

// --- Input ---------------------------------------------------------------------------------------

const INPUT_IDS: Record<string, FindingId> = {
  unreadable: 'logs.input.unreadable',
  'truncated-archive': 'logs.input.truncated',
  binary: 'logs.input.binary',
  'not-a-file': 'logs.input.not-a-file',
  limit: 'logs.input.limit',
  'zip-not-seekable': 'logs.input.limit',
};

const input: Rule<LogFacts> = (f) => {
  const hits: Hit[] = [];
  for (const p of f.problems) {
    if (p.kind === 'long-line') {
      const src = f.sources.find((s) => s.name === p.source);
      hits.push(
        hit('logs.input.long-line', { source: p.source, message: p.message, count: src?.longLines ?? 1 }),
      );
      continue;
    }
    const id = INPUT_IDS[p.kind];
    if (id) hits.push(hit(id, { source: p.source, message: p.message }));
  }
  if (f.totals.recognised === 0 && f.sources.length > 0)
    hits.push(hit('logs.input.nothing-recognised', { lines: f.totals.lines, sources: f.sources.length }));
  return hits;
};

export const logsRules: readonly Rule<LogFacts>[] = [
  axl,
  federation,
  callbackTimeout,
  resolveFailed,
  verifyInvalid,
  verifyError,
  receiverTimeout,
  xcpInternal,
  tlsFailed,
  certs,
  encryptionRequired,
  s2sFailures,
  dialbackValid,
  input,
];
