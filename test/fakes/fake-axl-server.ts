/**
 * A scripted fake Cisco AXL endpoint (Unified CM / IM and Presence, protocol notes §4) on
 * 127.0.0.1: real HTTPS with a test-CA certificate, Basic auth, Tomcat-style error pages, the
 * GET /axl/ service page, SOAP answers with realistic envelopes, 599 version rejections, SOAP
 * faults, 503 throttling, a JSESSIONIDSSO session cookie, and misbehaving modes (silent,
 * slow, stalled body, hang-up, web portal, wrong content type, redirect, oversized answer,
 * credentials echoed back). Also plain
 * TCP/HTTP helpers for the connection failures.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { testPki } from '../helpers/test-ca.js';

export const FAKE_USER = 'expressway-axl';
/** Contains characters that base64 and shell quoting both care about. */
export const FAKE_PASSWORD = 'Tr0ub4dor&3:x!';

export type FakeMode =
  | 'axl'
  | 'silent'
  | 'slow'
  | 'hangup'
  | 'web-portal'
  | 'wrong-content-type'
  | 'redirect'
  | 'huge'
  | 'stall-body'
  | 'echo-credentials';

export interface FakeAxlOptions {
  /** Title of the page of mode 'web-portal' (default "Welcome to nginx!"). */
  portalTitle?: string;
  /** HTTP status of the 2 MiB answer of mode 'huge' (default 200). */
  hugeStatus?: number;
  /** PEM key and certificate chain; default: a test-PKI leaf for localhost / 127.0.0.1. */
  key?: string;
  cert?: string;
  /** user -> password; default { FAKE_USER: FAKE_PASSWORD }. */
  users?: Record<string, string>;
  /**
   * Key and certificate presented from the second TLS connection on (a load balancer whose
   * backends have different certificates).
   */
  laterCert?: { key: string; cert: string };
  /** Users whose account is locked: 401 even with the right password. */
  lockedUsers?: string[];
  /** Users without the Standard AXL API Access role: 403. */
  noAxlRole?: string[];
  /** false: Cisco AXL Web Service not activated, /axl/ answers 404. */
  axlActive?: boolean;
  /** AXL schema versions accepted; default 12.0, 12.5, 14.0, 15.0. */
  supportedVersions?: string[];
  /** How the 599 page lists them; default "12.x, 14.0 and 15.0". */
  supportedText?: string;
  ccmVersion?: string;
  /** xmpps2snodes rows, or 'no-table' for a Unified CM node (Informix -206). */
  s2sRows?: Record<string, string>[] | 'no-table';
  /** Operations that answer with a SOAP fault (HTTP 500). */
  faults?: Partial<Record<'getCCMVersion' | 'executeSQLQuery', { code: string; message: string }>>;
  /**
   * Answer this many requests (after authentication) with 503, with Retry-After when given;
   * `every` 2 throttles every second authenticated request (1st, 3rd, …) instead of the first ones.
   */
  throttle?: { times: number; retryAfterS?: number; every?: number };
  mode?: FakeMode;
  /** 'slow': milliseconds before every answer. */
  delayMs?: number;
  /** Issue a JSESSIONIDSSO cookie after Basic auth (default true). */
  sessionCookie?: boolean;
  /** Treat every session cookie as expired: 404, as CUCM does (notes §4.1). */
  cookieExpired?: boolean;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  auth: 'basic' | 'cookie' | 'none';
}

export interface FakeAxl {
  port: number;
  /** The CA certificate (PEM) that validates the server certificate. */
  caPem: string;
  requests: SeenRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export const TOMCAT = (status: number, title: string, text: string) =>
  `<!doctype html><html lang="en"><head><title>HTTP Status ${status} – ${title}</title></head>` +
  `<body><h1>HTTP Status ${status} – ${title}</h1><hr class="line" /><p><b>Type</b> Status Report</p>` +
  `<p><b>Description</b> ${text}</p><hr class="line" /><h3>Apache Tomcat</h3></body></html>`;

const SERVICE_PAGE =
  '<html><head><title>Cisco CallManager: AXL Web Service</title></head><body>' +
  '<h1>Cisco CallManager: AXL Web Service</h1><p>The AXL Web Service is working and accepting requests.' +
  ' Use HTTP POST to send a request.</p></body></html>';

const ENV_OPEN = `<?xml version='1.0' encoding='UTF-8'?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`;
const ENV_CLOSE = '</soapenv:Body></soapenv:Envelope>';

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fault(code: string, message: string, request: string): string {
  return (
    `${ENV_OPEN}<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>${xmlEscape(message)}</faultstring>` +
    `<detail><axlError><axlcode>${code}</axlcode><axlmessage>${xmlEscape(message)}</axlmessage>` +
    `<request>${request}</request></axlError></detail></soapenv:Fault>${ENV_CLOSE}`
  );
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      if (body.length < 65536) body += d.toString('utf8');
    });
    req.on('end', () => resolve(body));
    req.on('error', () => resolve(body));
  });
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const m = /^\s*([^=]+)=(.*)$/.exec(part);
    if (m) out.set((m[1] as string).trim(), (m[2] as string).trim());
  }
  return out;
}

let defaultCert: { key: string; cert: string; caPem: string } | undefined;

/** A localhost / 127.0.0.1 server certificate from the shared test PKI. */
export function fakeAxlCert(): { key: string; cert: string; caPem: string } {
  if (!defaultCert) {
    const leaf = testPki().leaf({ cn: 'cucm-pub.example.test', dns: ['localhost'], ip: ['127.0.0.1'] });
    defaultCert = { key: leaf.keyPem, cert: leaf.chainPem, caPem: leaf.caPem };
  }
  return defaultCert;
}

/**
 * How an in-process run reaches a fake Cisco HTTPS endpoint (AXL or Control Center) on
 * 127.0.0.1:port: the fake's credentials and CA, certificate checked. The command options of
 * axl-auth and cisco services both start with these.
 */
export function fakeCiscoEndpoint(port: number) {
  return {
    host: '127.0.0.1',
    port,
    user: FAKE_USER,
    password: FAKE_PASSWORD,
    caPems: [fakeAxlCert().caPem],
    caFiles: [] as string[],
    insecure: false,
  };
}

export function listen(server: Server, sockets: Set<Socket>, counter: { n: number }): Promise<number> {
  server.on('connection', (s: Socket) => {
    counter.n++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

export function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

export async function startFakeAxl(opts: FakeAxlOptions = {}): Promise<FakeAxl> {
  const pem = fakeAxlCert();
  const users = opts.users ?? { [FAKE_USER]: FAKE_PASSWORD };
  const versions = opts.supportedVersions ?? ['12.0', '12.5', '14.0', '15.0'];
  const supportedText = opts.supportedText ?? '12.x, 14.0 and 15.0';
  const sessions = new Set<string>();
  const requests: SeenRequest[] = [];
  let throttled = 0;
  let authenticated = 0;
  const sockets = new Set<Socket>();
  const counter = { n: 0 };

  const send = (
    res: ServerResponse,
    status: number,
    type: string,
    body: string,
    headers: Record<string, string | string[]> = {},
  ) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const cookies = parseCookies(req.headers.cookie);
    const sso = cookies.get('JSESSIONIDSSO');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
      auth: basic ? 'basic' : sso ? 'cookie' : 'none',
    });
    const mode = opts.mode ?? 'axl';
    if (mode === 'silent') return; // headers never come
    if (mode === 'hangup') return void req.socket.destroy();
    if (mode === 'slow') await new Promise((r) => setTimeout(r, opts.delayMs ?? 300));
    if (mode === 'web-portal') {
      return send(
        res,
        200,
        'text/html;charset=utf-8',
        `<!DOCTYPE html><html><head><title>${opts.portalTitle ?? 'Welcome to nginx!'}</title></head><body><h1>Welcome to nginx!</h1></body></html>`,
      );
    }
    if (mode === 'echo-credentials') {
      // A broken or hostile server that reflects the credentials it got: in a header parameter,
      // as a cookie name, and in the page (both the base64 and the decoded password).
      const decoded = Buffer.from(basic ?? '', 'base64').toString('utf8');
      const password = decoded.slice(decoded.indexOf(':') + 1);
      return send(
        res,
        200,
        `text/html; charset=utf-8; echo="${basic ?? ''}"`,
        `<html><head><title>Echo ${password}</title></head><body>You sent ${basic} (${decoded})</body></html>`,
        { 'set-cookie': `${password}=1; Path=/` },
      );
    }
    if (mode === 'redirect') {
      return send(res, 302, 'text/html', '', { location: 'https://127.0.0.1/ccmadmin/showHome.do' });
    }
    if (mode === 'stall-body') {
      // Headers and the start of a page, then silence with the connection open.
      res.writeHead(200, { 'content-type': 'text/html;charset=utf-8' });
      return void res.write('<html><head><title>Cisco CallManager: AXL Web Service</title>');
    }
    if (mode === 'huge') {
      res.writeHead(opts.hugeStatus ?? 200, { 'content-type': 'text/xml;charset=utf-8' });
      const chunk = `<row>${'x'.repeat(1023)}</row>`.slice(0, 1024);
      for (let i = 0; i < 2048 && !res.destroyed; i++) res.write(chunk);
      return void res.end();
    }
    if (req.url !== '/axl/' || opts.axlActive === false) {
      return send(
        res,
        404,
        'text/html;charset=utf-8',
        TOMCAT(
          404,
          'Not Found',
          'The origin server did not find a current representation for the target resource.',
        ),
      );
    }

    // Authentication: a live session cookie, else Basic (RFC 7617).
    let authed = false;
    if (!basic && sso && sessions.has(sso)) {
      if (opts.cookieExpired)
        return send(res, 404, 'text/html;charset=utf-8', TOMCAT(404, 'Not Found', 'Session expired.'));
      authed = true;
    }
    const setCookie: string[] = [];
    if (!authed) {
      const [user, ...rest] = Buffer.from(basic ?? '', 'base64')
        .toString('utf8')
        .split(':');
      const password = rest.join(':');
      const known = basic !== undefined && user !== undefined && users[user] === password;
      if (!known || opts.lockedUsers?.includes(user as string)) {
        return send(
          res,
          401,
          'text/html;charset=utf-8',
          TOMCAT(
            401,
            'Unauthorized',
            'The request has not been applied because it lacks valid authentication credentials for the target resource.',
          ),
          {
            'www-authenticate': 'Basic realm="Cisco Unified Communications Manager"',
          },
        );
      }
      if (opts.noAxlRole?.includes(user as string)) {
        return send(
          res,
          403,
          'text/html;charset=utf-8',
          TOMCAT(403, 'Forbidden', 'The server understood the request but refuses to authorize it.'),
        );
      }
      if (opts.sessionCookie !== false) {
        const id = randomBytes(16).toString('hex').toUpperCase();
        sessions.add(id);
        setCookie.push(
          `JSESSIONIDSSO=${id}; Path=/; Secure; HttpOnly`,
          `JSESSIONID=${randomBytes(16).toString('hex')}; Path=/axl; Secure; HttpOnly`,
        );
      }
    }
    const extra: Record<string, string | string[]> = setCookie.length ? { 'set-cookie': setCookie } : {};

    const nth = authenticated++;
    if (opts.throttle && throttled < opts.throttle.times && nth % (opts.throttle.every ?? 1) === 0) {
      throttled++;
      const h: Record<string, string> =
        opts.throttle.retryAfterS !== undefined ? { 'retry-after': String(opts.throttle.retryAfterS) } : {};
      return send(
        res,
        503,
        'text/html;charset=utf-8',
        TOMCAT(503, 'Service Unavailable', 'AXL is throttling requests.'),
        { ...extra, ...h },
      );
    }
    if (req.method === 'GET') return send(res, 200, 'text/html;charset=utf-8', SERVICE_PAGE, extra);
    if (req.method !== 'POST')
      return send(res, 405, 'text/html', TOMCAT(405, 'Method Not Allowed', ''), extra);

    // SOAP: SOAPAction and namespace must name the same supported version (notes §4.1).
    if (!/^text\/xml/i.test(req.headers['content-type'] ?? '')) {
      return send(
        res,
        415,
        'text/html',
        TOMCAT(415, 'Unsupported Media Type', 'AXL expects text/xml.'),
        extra,
      );
    }
    const action = /^"?CUCM:DB ver=(\d+\.\d+)(?: (\w+))?"?$/.exec(String(req.headers.soapaction ?? ''));
    const ns = /xmlns:\w+="http:\/\/www\.cisco\.com\/AXL\/API\/(\d+\.\d+)"/.exec(body)?.[1];
    const op = /<(?:\w+:)?Body>\s*<(?:\w+:)?(\w+)/.exec(body)?.[1] ?? '';
    if (!action || !ns || action[1] !== ns || (action[2] && action[2] !== op)) {
      return send(
        res,
        500,
        'text/xml;charset=utf-8',
        fault('5000', 'SOAPAction and request namespace do not agree', op),
        extra,
      );
    }
    if (!versions.includes(ns)) {
      return send(
        res,
        599,
        'text/html;charset=utf-8',
        `<html><body>Incorrect axl version. Supported axl versions are ${supportedText}</body></html>`,
        extra,
      );
    }
    if (opts.mode === 'wrong-content-type') {
      return send(res, 200, 'application/json', '{"status":"ok","message":"request accepted"}', extra);
    }
    const xml = 'text/xml;charset=utf-8';
    const f = opts.faults?.[op as 'getCCMVersion'];
    if (f) return send(res, 500, xml, fault(f.code, f.message, op), extra);
    const open = `<ns:${op}Response xmlns:ns="http://www.cisco.com/AXL/API/${ns}">`;
    if (op === 'getCCMVersion') {
      const v = opts.ccmVersion ?? '14.0.1.12900(161)';
      return send(
        res,
        200,
        xml,
        `${ENV_OPEN}${open}<return><componentVersion><version>${v}</version></componentVersion></return></ns:${op}Response>${ENV_CLOSE}`,
        extra,
      );
    }
    if (op === 'executeSQLQuery') {
      const sql = /<sql>([\s\S]*?)<\/sql>/.exec(body)?.[1]?.trim().toLowerCase() ?? '';
      if (/from xmpps2snodes/.test(sql) && opts.s2sRows === 'no-table') {
        return send(
          res,
          500,
          xml,
          fault('-206', 'The specified table (xmpps2snodes) is not in the database.', op),
          extra,
        );
      }
      const rows = opts.s2sRows === 'no-table' ? [] : (opts.s2sRows ?? []);
      const rowsXml = rows
        .map(
          (r) =>
            `<row>${Object.entries(r)
              .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
              .join('')}</row>`,
        )
        .join('');
      return send(
        res,
        200,
        xml,
        `${ENV_OPEN}${open}<return>${rowsXml}</return></ns:${op}Response>${ENV_CLOSE}`,
        extra,
      );
    }
    return send(res, 500, xml, fault('5007', `Item not valid: unknown operation ${op}`, op), extra);
  }

  const server = createHttpsServer({ key: opts.key ?? pem.key, cert: opts.cert ?? pem.cert }, (req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  if (opts.laterCert) {
    const later = opts.laterCert;
    // After the first TCP connection has taken the current context (tls.Server's own listener runs first).
    server.once('connection', () => server.setSecureContext(later));
  }
  const port = await listen(server, sockets, counter);
  return { port, caPem: pem.caPem, requests, connections: () => counter.n, close: closer(server, sockets) };
}

/** A TCP server that accepts and never says a word: the TLS handshake never completes. */
export async function startSilentTcp(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer(() => undefined);
  const port = await listen(server, sockets, { n: 0 });
  return { port, close: closer(server, sockets) };
}

/** Plain HTTP (no TLS) on the port: what a TLS client meets when the port is wrong. */
export async function startPlainHttp(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => res.end('plain http'));
  const port = await listen(server, sockets, { n: 0 });
  return { port, close: closer(server, sockets) };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createTcpServer();
  const port = await listen(server, sockets, { n: 0 });
  await closer(server, sockets)();
  return port;
}
