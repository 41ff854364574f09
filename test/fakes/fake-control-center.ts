/**
 * A scripted fake of Cisco Control Center Services (soapGetServiceStatus, reference
 * cisco-and-peers §1) on 127.0.0.1, beside the fake AXL endpoint and on the same TLS/test-CA
 * plumbing: Basic auth with 401/403, a JSESSIONIDSSO cookie, the current and legacy paths (404
 * where absent), Axis-style `ns1:` prefixed answers or unprefixed ones, per-service status,
 * ReasonCode, ReasonCodeString, StartTime and UpTime, SOAP faults, the "Exceeded allowed rate"
 * fault, and misbehaving modes (HTML page, silent, hang-up, redirect, oversized answer).
 * Response wording beyond the WSDL element names is invented test data, not a capture.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import {
  closer,
  FAKE_PASSWORD,
  FAKE_USER,
  fakeAxlCert,
  listen,
  parseCookies,
  readBody,
  type SeenRequest,
  TOMCAT,
} from './fake-axl-server.js';

export { FAKE_PASSWORD, FAKE_USER } from './fake-axl-server.js';

export const CURRENT_PATH = '/controlcenterservice2/services/ControlCenterServices';
export const LEGACY_PATH = '/controlcenterservice/services/ControlCenterServicesPort';

export interface FakeService {
  name: string;
  status: string;
  reasonCode?: number | string;
  reasonCodeString?: string;
  startTime?: string;
  /** Seconds; sent as given (a non-running service sends -1 here by default). */
  upTime?: number | string;
}

/** A healthy IM and Presence node where Expressway does federation. */
export function healthyImp(upTimeS = 86_400 + 3_600): FakeService[] {
  const started = (name: string): FakeService => ({
    name,
    status: 'Started',
    reasonCode: -1,
    reasonCodeString: ' ',
    upTime: upTimeS,
  });
  return [
    started('Cisco XCP Router'),
    {
      name: 'Cisco XCP XMPP Federation Connection Manager',
      status: 'Stopped',
      reasonCode: -1,
      reasonCodeString: ' ',
      startTime: ' ',
      upTime: -1,
    },
    started('Cisco XCP Config Manager'),
    started('Cisco AXL Web Service'),
    started('Cisco Presence Engine'),
    started('Cisco SIP Proxy'),
  ];
}

export type FakeCcMode = 'control-center' | 'html' | 'silent' | 'hangup' | 'redirect' | 'huge';

export interface FakeControlCenterOptions {
  users?: Record<string, string>;
  /** Users without a serviceability role: 403. */
  noRole?: string[];
  /** Which paths exist; default only the current one. */
  paths?: ('current' | 'legacy')[];
  services?: FakeService[];
  /** 'ns1': Axis style, every element prefixed (as real answers are reported); 'none': unprefixed children. */
  prefix?: 'ns1' | 'none';
  /** Answer every request with this SOAP fault (HTTP 500). */
  fault?: string;
  /** Answer this many authenticated requests with the "Exceeded allowed rate" fault first. */
  rateLimit?: number;
  mode?: FakeCcMode;
  sessionCookie?: boolean;
  /** Sent as the HTTP Date header (default: now). */
  date?: string;
}

export interface FakeControlCenter {
  port: number;
  caPem: string;
  requests: SeenRequest[];
  connections(): number;
  close(): Promise<void>;
}

const RATE_FAULT = 'Exceeded allowed rate for Realtime information. Try again later.';

function x(s: string | number | undefined): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function envelope(inner: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"` +
    ` xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
    `<soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`
  );
}

function faultXml(text: string): string {
  return envelope(
    `<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>${x(text)}</faultstring><detail/></soapenv:Fault>`,
  );
}

/** A ctime-like UTC time ("Sun Nov 29 18:15:32 2026"); the real StartTime format is undocumented. */
function ctime(ms: number): string {
  const d = new Date(ms).toUTCString(); // "Sun, 29 Nov 2026 18:15:32 GMT"
  const [wd, day, mon, year, time] = d.replace(',', '').split(' ');
  return `${wd} ${mon} ${day} ${time} ${year}`;
}

/** StartTime as sent: the given one, else computed from a positive UpTime, else blank. */
function startTimeOf(s: FakeService): string {
  if (s.startTime !== undefined) return s.startTime;
  const up = Number(s.upTime);
  return Number.isFinite(up) && up > 0 ? ctime(Date.now() - up * 1000) : ' ';
}

function statusAnswer(list: FakeService[], prefix: 'ns1' | 'none'): string {
  const p = prefix === 'ns1' ? 'ns1:' : '';
  const el = (name: string, v: string | number | undefined) => `<${p}${name}>${x(v)}</${p}${name}>`;
  const items = list
    .map(
      (s) =>
        `<${p}item>${el('ServiceName', s.name)}${el('ServiceStatus', s.status)}${el('ReasonCode', s.reasonCode ?? -1)}` +
        `${el('ReasonCodeString', s.reasonCodeString ?? ' ')}${el('StartTime', startTimeOf(s))}${el('UpTime', s.upTime ?? -1)}</${p}item>`,
    )
    .join('');
  const ns = prefix === 'ns1' ? 'ns1' : 'ns';
  const wrapperChildren =
    `${el('ReturnCode', 'Success')}${el('ReasonCode', -1)}${el('ReasonString', ' ')}` +
    `<${p}ServiceInfoList>${items}</${p}ServiceInfoList>`;
  return envelope(
    `<${ns}:soapGetServiceStatusResponse xmlns:${ns}="http://schemas.cisco.com/ast/soap">` +
      `<${p || `${ns}:`}soapGetServiceStatusReturn>${wrapperChildren}</${p || `${ns}:`}soapGetServiceStatusReturn>` +
      `</${ns}:soapGetServiceStatusResponse>`,
  );
}

export async function startFakeControlCenter(
  opts: FakeControlCenterOptions = {},
): Promise<FakeControlCenter> {
  const pem = fakeAxlCert();
  const users = opts.users ?? { [FAKE_USER]: FAKE_PASSWORD };
  const paths = new Set<string>(
    (opts.paths ?? ['current']).map((p) => (p === 'current' ? CURRENT_PATH : LEGACY_PATH)),
  );
  const services = opts.services ?? healthyImp();
  const sessions = new Set<string>();
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const counter = { n: 0 };
  let rateLimited = 0;

  const send = (
    res: ServerResponse,
    status: number,
    type: string,
    body: string,
    headers: Record<string, string | string[]> = {},
  ) => {
    res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      date: opts.date ?? new Date().toUTCString(),
      ...headers,
    });
    res.end(body);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const sso = parseCookies(req.headers.cookie).get('JSESSIONIDSSO');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
      auth: basic ? 'basic' : sso ? 'cookie' : 'none',
    });
    const mode = opts.mode ?? 'control-center';
    if (mode === 'silent') return;
    if (mode === 'hangup') return void req.socket.destroy();
    if (mode === 'redirect')
      return send(res, 302, 'text/html', '', { location: 'https://127.0.0.1/cupadmin/' });
    if (mode === 'html') {
      return send(
        res,
        200,
        'text/html;charset=utf-8',
        '<!DOCTYPE html><html><head><title>Cisco Unified Communications Self Care Portal</title></head><body>Sign in</body></html>',
      );
    }
    if (mode === 'huge') {
      res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' });
      for (let i = 0; i < 2048 && !res.destroyed; i++) res.write(`<x>${'y'.repeat(1017)}</x>`);
      return void res.end();
    }
    if (!paths.has(req.url ?? '')) {
      return send(
        res,
        404,
        'text/html;charset=utf-8',
        TOMCAT(404, 'Not Found', 'The requested resource is not available.'),
      );
    }
    const setCookie: string[] = [];
    if (!(sso && sessions.has(sso) && !basic)) {
      const decoded = Buffer.from(basic ?? '', 'base64').toString('utf8');
      const user = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
      const password = decoded.slice(decoded.indexOf(':') + 1);
      if (!basic || users[user] !== password) {
        return send(
          res,
          401,
          'text/html;charset=utf-8',
          TOMCAT(401, 'Unauthorized', 'Authentication required.'),
          {
            'www-authenticate': 'Basic realm="Cisco Unified Serviceability"',
          },
        );
      }
      if (opts.noRole?.includes(user))
        return send(
          res,
          403,
          'text/html;charset=utf-8',
          TOMCAT(403, 'Forbidden', 'Access to the resource is denied.'),
        );
      if (opts.sessionCookie !== false) {
        const id = randomBytes(16).toString('hex').toUpperCase();
        sessions.add(id);
        setCookie.push(`JSESSIONIDSSO=${id}; Path=/; Secure; HttpOnly`);
      }
    }
    const extra: Record<string, string | string[]> = setCookie.length ? { 'set-cookie': setCookie } : {};
    const xml = 'text/xml;charset=utf-8';
    if (req.method !== 'POST' || req.headers.soapaction !== '"soapGetServiceStatus"')
      return send(res, 500, xml, faultXml('No SOAPAction header!'), extra);
    if (opts.rateLimit !== undefined && rateLimited < opts.rateLimit) {
      rateLimited++;
      return send(res, 500, xml, faultXml(RATE_FAULT), extra);
    }
    if (opts.fault) return send(res, 500, xml, faultXml(opts.fault), extra);
    const asked = [...body.matchAll(/<(?:\w+:)?ServiceStatus>([^<]*)<\/(?:\w+:)?ServiceStatus>/g)].map(
      (m) => m[1],
    );
    const list =
      asked.length === 0 || asked.includes('') ? services : services.filter((s) => asked.includes(s.name));
    return send(res, 200, xml, statusAnswer(list, opts.prefix ?? 'ns1'), extra);
  }

  const server = createHttpsServer({ key: pem.key, cert: pem.cert }, (req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const port = await listen(server, sockets, counter);
  return { port, caPem: pem.caPem, requests, connections: () => counter.n, close: closer(server, sockets) };
}
