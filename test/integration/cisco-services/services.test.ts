/**
 * cisco services against a fake Control Center: how each service state is judged (Started,
 * Stopped, Starting/Stopping, Unknown, not activated), prefixed and unprefixed answers, --all,
 * --via and --changed-at. Every finding names the node.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCiscoServices } from '../../../src/gather/cisco-services.js';
import {
  CURRENT_PATH,
  type FakeControlCenterOptions,
  type FakeService,
  healthyImp,
  startFakeControlCenter,
} from '../../fakes/fake-control-center.js';
import { findings, type RunCisco, runCisco, verdicts } from './run-cisco.js';

const ROUTER = 'Cisco XCP Router';
const FED_CM = 'Cisco XCP XMPP Federation Connection Manager';
const CONFIG = 'Cisco XCP Config Manager';
const AXL = 'Cisco AXL Web Service';

/** The healthy node with one service changed. */
function withService(name: string, change: Partial<FakeService>): FakeService[] {
  return healthyImp().map((s) => (s.name === name ? { ...s, ...change } : s));
}

async function against(
  fake: FakeControlCenterOptions,
  over: Parameters<typeof runCisco>[1] = {},
): Promise<RunCisco & { requests: Awaited<ReturnType<typeof startFakeControlCenter>>['requests'] }> {
  const f = await startFakeControlCenter(fake);
  try {
    return { ...(await runCisco(f.port, over)), requests: f.requests };
  } finally {
    await f.close();
  }
}

describe('cisco services: service state', () => {
  it('reads the four federation services from an ns1:-prefixed answer and reports each as info', async () => {
    // Given a healthy IM and Presence node answering in the Axis style (ns1: on every element)
    const r = await against({ prefix: 'ns1' });
    // Then nothing is wrong, and each asked service has its info finding with status and uptime
    assert.deepEqual(verdicts(r), []);
    assert.equal(r.report.status, 'pass');
    const info = findings(r, 'cisco.service.status');
    assert.deepEqual(
      info.map((f) => f.evidence.service),
      [ROUTER, FED_CM, CONFIG, AXL],
    );
    const router = info[0]!;
    assert.equal(router.title, `${ROUTER} on 127.0.0.1: Started`);
    assert.match(router.symptom, /started \w{3} \w{3} \d\d \d\d:\d\d:\d\d \d{4}; up 1 d 01:00:00\./);
    assert.match(info[1]!.symptom, /up \(not running\)/);
    // And the request is the WSDL one: quoted SOAPAction, one ServiceStatus per name, current path
    const post = r.requests[0]!;
    assert.equal(post.url, CURRENT_PATH);
    assert.equal(post.headers.soapaction, '"soapGetServiceStatus"');
    assert.match(String(post.headers['content-type']), /^text\/xml/);
    assert.equal(
      [...post.body.matchAll(/<soap:ServiceStatus>([^<]*)<\/soap:ServiceStatus>/g)]
        .map((m) => m[1])
        .join('|'),
      [ROUTER, FED_CM, CONFIG, AXL].join('|'),
    );
    assert.match(post.body, /xmlns:soap="http:\/\/schemas\.cisco\.com\/ast\/soap"/);
  });

  it('reads an answer with unprefixed children the same way', async () => {
    const r = await against({ prefix: 'none' });
    assert.deepEqual(verdicts(r), []);
    assert.deepEqual(
      r.facts.services?.map((s) => [s.name, s.status, s.reasonCode, s.upTimeS]),
      [
        [ROUTER, 'Started', -1, 90000],
        [FED_CM, 'Stopped', -1, -1],
        [CONFIG, 'Started', -1, 90000],
        [AXL, 'Started', -1, 90000],
      ],
    );
    assert.equal(r.facts.returnCode, 'Success');
  });

  it('asks for every service with --all (one empty ServiceStatus) and lists them all', async () => {
    const r = await against({}, { all: true });
    assert.match(r.requests[0]!.body, /<soap:ServiceStatus><\/soap:ServiceStatus>/);
    assert.equal(findings(r, 'cisco.service.status').length, 6);
    assert.deepEqual(verdicts(r), []);
  });

  it('reports cisco.service.stopped, naming the node, for a stopped XCP Router', async () => {
    const r = await against({ services: withService(ROUTER, { status: 'Stopped', upTime: -1 }) });
    assert.deepEqual(verdicts(r), ['cisco.service.stopped']);
    const f = findings(r, 'cisco.service.stopped')[0]!;
    assert.equal(f.title, `${ROUTER} is stopped on 127.0.0.1`);
    assert.match(f.symptom, /no XMPP routing on this node/);
    assert.equal(r.report.status, 'fail');
  });

  it('reports cisco.service.changing for Starting and Stopping services', async () => {
    const services = withService(CONFIG, { status: 'Starting' }).map((s) =>
      s.name === AXL ? { ...s, status: 'Stopping' } : s,
    );
    const r = await against({ services });
    assert.deepEqual(verdicts(r), ['cisco.service.changing', 'cisco.service.changing']);
    assert.deepEqual(
      findings(r, 'cisco.service.changing').map((f) => f.title),
      [`${CONFIG} is Starting on 127.0.0.1`, `${AXL} is Stopping on 127.0.0.1`],
    );
  });

  it('reports cisco.service.unknown for Unknown and for a status outside the WSDL enum', async () => {
    const services = withService(ROUTER, { status: 'Unknown' }).map((s) =>
      s.name === CONFIG ? { ...s, status: 'Crashed' } : s,
    );
    const r = await against({ services });
    assert.deepEqual(verdicts(r), ['cisco.service.unknown', 'cisco.service.unknown']);
    assert.match(
      findings(r, 'cisco.service.unknown')[1]!.symptom,
      /reports Cisco XCP Config Manager as "Crashed"/,
    );
  });

  it('reports cisco.service.not-activated quoting ReasonCodeString verbatim, whatever the code', async () => {
    // The -1068 / "Service Not Activated" pair is recalled, not confirmed: the rule must work on
    // any code other than -1 and quote whatever text the node sends.
    for (const [code, text] of [
      [-1068, 'Service Not Activated'],
      [7, 'Deactivated by the administrator'],
    ] as const) {
      const r = await against({
        services: withService(ROUTER, {
          status: 'Stopped',
          reasonCode: code,
          reasonCodeString: text,
          upTime: -1,
        }),
      });
      assert.deepEqual(verdicts(r), ['cisco.service.not-activated']);
      const f = findings(r, 'cisco.service.not-activated')[0]!;
      assert.equal(f.title, `${ROUTER} is not activated on 127.0.0.1`);
      assert.ok(f.symptom.includes(`ReasonCode ${code}: "${text}" (status Stopped)`), f.symptom);
      assert.equal(f.evidence.reasonCodeStringVerbatim, text);
    }
  });

  it('escapes control and bidi characters of ReasonCodeString in the prose, keeps them in evidence', async () => {
    // (XML 1.0 forbids C0 controls, so a node can only send C1 controls such as CSI, and bidi marks)
    const hostile = 'Not\u009b31m Activated\u202e';
    const r = await against({
      services: withService(CONFIG, {
        status: 'Stopped',
        reasonCode: 3,
        reasonCodeString: hostile,
        upTime: -1,
      }),
    });
    const f = findings(r, 'cisco.service.not-activated')[0]!;
    assert.ok(!/[\u009b\u202e]/.test(f.symptom), 'raw control character in the symptom');
    assert.ok(f.symptom.includes('Not\\x9b31m Activated\\u202e'), f.symptom);
    assert.equal(f.evidence.reasonCodeStringVerbatim, hostile);
    // And the summary line of the human report escapes it too
    const line = describeCiscoServices(r.report).find((l) => l.includes(CONFIG));
    assert.equal(
      line,
      `service    ${CONFIG.padEnd(44)}  Stopped, not activated (ReasonCode 3 "Not\\x9b31m Activated\\u202e")`,
    );
  });

  it('reports cisco.axl-service.not-activated (a warning) for a deactivated AXL Web Service', async () => {
    const r = await against({
      services: withService(AXL, {
        status: 'Stopped',
        reasonCode: -1068,
        reasonCodeString: 'Service Not Activated',
      }),
    });
    assert.deepEqual(verdicts(r), ['cisco.axl-service.not-activated']);
    assert.equal(r.report.status, 'warn');
  });

  it('reports cisco.service.missing when the node does not list a federation service (a Unified CM node)', async () => {
    const r = await against({ services: healthyImp().filter((s) => !s.name.startsWith('Cisco XCP')) });
    assert.deepEqual(verdicts(r), [
      'cisco.service.missing',
      'cisco.service.missing',
      'cisco.service.missing',
    ]);
    assert.deepEqual(
      findings(r, 'cisco.service.missing').map((f) => f.evidence.service),
      [ROUTER, FED_CM, CONFIG],
    );
  });

  it('with --all, reports cisco.service.other-stopped for another stopped service, and nothing for deactivated ones', async () => {
    const services = withService('Cisco Presence Engine', { status: 'Stopped', upTime: -1 }).map((s) =>
      s.name === 'Cisco SIP Proxy'
        ? { ...s, status: 'Stopped', reasonCode: 4, reasonCodeString: 'Not activated' }
        : s,
    );
    const r = await against({ services }, { all: true });
    assert.deepEqual(verdicts(r), ['cisco.service.other-stopped']);
    assert.equal(findings(r, 'cisco.service.other-stopped')[0]!.evidence.service, 'Cisco Presence Engine');
  });
});

describe('cisco services: who federates (--via)', () => {
  it('reports cisco.federation.imp-also-federating when the Federation CM runs and Expressway federates', async () => {
    const running = withService(FED_CM, { status: 'Started', upTime: 500 });
    const r = await against({ services: running }, { via: 'expressway' });
    assert.deepEqual(verdicts(r), ['cisco.federation.imp-also-federating']);
    assert.match(
      findings(r, 'cisco.federation.imp-also-federating')[0]!.title,
      /node 127\.0\.0\.1 runs its own XMPP federation/,
    );
    // And without --via the same state is only information
    const plain = await against({ services: running });
    assert.deepEqual(verdicts(plain), []);
  });

  it('accepts a stopped Federation CM with --via expressway', async () => {
    const r = await against({}, { via: 'expressway' });
    assert.deepEqual(verdicts(r), []);
  });

  it('reports cisco.federation.cm-not-running with --via imp when it is stopped or not activated', async () => {
    const stopped = await against({}, { via: 'imp' });
    assert.deepEqual(verdicts(stopped), ['cisco.federation.cm-not-running']);
    assert.match(
      findings(stopped, 'cisco.federation.cm-not-running')[0]!.symptom,
      /on 127\.0\.0\.1 is Stopped/,
    );
    const off = await against(
      { services: withService(FED_CM, { reasonCode: 12, reasonCodeString: 'Service Not Activated' }) },
      { via: 'imp' },
    );
    assert.match(
      findings(off, 'cisco.federation.cm-not-running')[0]!.symptom,
      /is not activated: ReasonCode 12, "Service Not Activated"/,
    );
    const running = await against(
      { services: withService(FED_CM, { status: 'Started', upTime: 5 }) },
      { via: 'imp' },
    );
    assert.deepEqual(verdicts(running), []);
  });
});

describe('cisco services: XCP Router restart after the federation change (--changed-at)', () => {
  const hour = 3_600_000;

  it('reports cisco.xcp-router.restart-pending when the router has run since before the change', async () => {
    // Given a router up for 25 h and a change made 1 h ago
    const r = await against({}, { changedAtMs: Date.now() - hour });
    assert.deepEqual(verdicts(r), ['cisco.xcp-router.restart-pending']);
    const f = findings(r, 'cisco.xcp-router.restart-pending')[0]!;
    assert.equal(f.title, 'Cisco XCP Router on 127.0.0.1 has not been restarted since the federation change');
    assert.match(f.symptom, /answer time minus UpTime 90000 s/);
    assert.match(f.fix, /If packets still bounce afterwards, restart the IM and Presence cluster/);
    // The start is computed from UpTime and the answer time of this machine
    const startedAt = Date.parse(String(f.evidence.startedAt));
    assert.ok(Math.abs(startedAt - (Date.now() - 25 * hour)) < 60_000, String(f.evidence.startedAt));
  });

  it('reports cisco.xcp-router.restarted-since-change when the router restarted after it', async () => {
    const r = await against({}, { changedAtMs: Date.now() - 2 * 24 * hour });
    assert.deepEqual(verdicts(r), ['cisco.xcp-router.restarted-since-change']);
    assert.equal(r.report.status, 'pass');
  });

  it('falls back to StartTime when UpTime is absent, and reports cisco.xcp-router.start-unknown when neither reads', async () => {
    const fromStart = await against(
      { services: withService(ROUTER, { upTime: '', startTime: '2026-01-05T15:00:00Z' }) },
      { changedAtMs: Date.parse('2026-01-05T16:00:00Z') },
    );
    assert.deepEqual(verdicts(fromStart), ['cisco.xcp-router.restart-pending']);
    assert.match(
      findings(fromStart, 'cisco.xcp-router.restart-pending')[0]!.symptom,
      /StartTime "2026-01-05T15:00:00Z"/,
    );
    const unknown = await against(
      { services: withService(ROUTER, { upTime: '', startTime: 'yesterday-ish' }) },
      { changedAtMs: Date.now() - hour },
    );
    assert.deepEqual(verdicts(unknown), ['cisco.xcp-router.start-unknown']);
    assert.match(findings(unknown, 'cisco.xcp-router.start-unknown')[0]!.symptom, /\("yesterday-ish"\)/);
  });

  it('does not judge the restart of a router that is not running (that is cisco.service.stopped)', async () => {
    const r = await against(
      { services: withService(ROUTER, { status: 'Stopped', upTime: -1 }) },
      { changedAtMs: Date.now() - hour },
    );
    assert.deepEqual(verdicts(r), ['cisco.service.stopped']);
  });
});
