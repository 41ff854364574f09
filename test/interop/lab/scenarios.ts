/**
 * The lab's scenario table: one `.test` domain per federation situation, each with its own
 * 127.0.0.x inside the namespace, the server that plays it, its TLS policy and certificate,
 * and the DNS records that lead to it (RFC 6120 §3.2: `_xmpp-server._tcp` SRV, else the
 * domain's A record on 5269). Tests name scenarios by domain: `lab.domains['expired.test']`.
 */
import type { CertProfile } from './ca.js';
import type { DnsRecord } from './dnsmasq.js';

/** Who answers for a scenario: a real server, the silent listener, or nobody (DNS only / closed). */
export type ServerKind = 'prosody' | 'ejabberd' | 'jabberd2' | 'silent' | 'none' | 'xfed';

export interface ScenarioSpec {
  description: string;
  server: ServerKind;
  /** Host name other servers connect to (the SRV target, or the domain itself without SRV). */
  host: string;
  /** Address the host resolves to inside the namespace; "" when it resolves nowhere. */
  address: string;
  port: number;
  /** STARTTLS policy of the server (RFC 6120 §5.3.1); undefined when no server speaks XMPP there. */
  tls?: 'required' | 'optional' | 'none';
  /** Certificate the server presents; undefined for no TLS at all. */
  cert?: CertProfile;
  /** Prosody s2s_secure_auth: certificate authentication only. */
  secureAuth?: boolean;
  /** ejabberd: verify the certificate of every server it connects to (no dialback fallback there). */
  verifyPeers?: boolean;
  /** Server dialback (XEP-0220) offered. */
  dialback?: boolean;
  /** The server's dialback secret, where the lab sets one (jabberd2 `<local><secret>`). */
  dialbackSecret?: string;
  /** jabberd2 split setup: the default-route s2s node (router, sm) with its own secret. */
  jabberd2DefaultNode?: { address: string; secret: string };
  dns: DnsRecord[];
}

/** The lab's recursive resolver, inside the namespace only. */
export const DNS_IP = '127.0.0.53';

/** A name under the lab zone with no records at all: the resolver answers NXDOMAIN. */
export const NXDOMAIN_NAME = 'nonexistent.test';

const srvName = (domain: string) => `_xmpp-server._tcp.${domain}`;

/** SRV _xmpp-server._tcp.<domain> -> xmpp.<domain>:<port>, and xmpp.<domain> A <address>. */
function viaSrv(domain: string, address: string, port = 5269): { host: string; dns: DnsRecord[] } {
  const host = `xmpp.${domain}`;
  return {
    host,
    dns: [
      { type: 'SRV', name: srvName(domain), target: host, port, priority: 0, weight: 5 },
      { type: 'A', name: host, address },
    ],
  };
}

function server(
  domain: string,
  address: string,
  s: Omit<ScenarioSpec, 'host' | 'address' | 'port' | 'dns'> & { port?: number },
): ScenarioSpec {
  const port = s.port ?? 5269;
  return { ...s, address, port, ...viaSrv(domain, address, port) };
}

const prosody = { server: 'prosody', dialback: true } as const;

/** The dialback secret of the lab's jabberd2 instances (keys can be recomputed with `xfed dialback key`). */
export const JABBERD2_SECRET = 'xfed-lab-jabberd2-secret';

export const SCENARIOS = {
  'prosody-ok.test': server('prosody-ok.test', '127.0.0.10', {
    ...prosody,
    description: 'healthy Prosody: STARTTLS required, valid chain (leaf + intermediate), dialback offered',
    tls: 'required',
    cert: 'valid',
  }),
  'ejabberd-ok.test': server('ejabberd-ok.test', '127.0.0.11', {
    server: 'ejabberd',
    dialback: true,
    description: 'healthy ejabberd: STARTTLS required, valid chain, dialback (mod_s2s_dialback)',
    tls: 'required',
    cert: 'valid',
  }),
  'ejabberd-verify.test': server('ejabberd-verify.test', '127.0.0.25', {
    server: 'ejabberd',
    dialback: true,
    verifyPeers: true,
    description:
      'ejabberd verifying the certificate of every server it connects to (mod_s2s_dialback access: none): answers dialback requests, but its callback fails on a bad certificate',
    tls: 'required',
    cert: 'valid',
  }),
  'tls-optional.test': server('tls-optional.test', '127.0.0.12', {
    ...prosody,
    description: 'Prosody offering STARTTLS without <required/> (s2s_require_encryption = false)',
    tls: 'optional',
    cert: 'valid',
  }),
  'no-tls.test': server('no-tls.test', '127.0.0.13', {
    ...prosody,
    description: 'Prosody with no certificate: no STARTTLS in the stream features',
    tls: 'none',
  }),
  'expired.test': server('expired.test', '127.0.0.14', {
    ...prosody,
    description: 'Prosody serving a certificate that expired 35 days ago (chain otherwise valid)',
    tls: 'required',
    cert: 'expired',
  }),
  'not-yet-valid.test': server('not-yet-valid.test', '127.0.0.26', {
    ...prosody,
    description:
      'Prosody serving a certificate whose validity starts 30 days from now (chain otherwise valid)',
    tls: 'required',
    cert: 'not-yet-valid',
  }),
  'wrong-name.test': server('wrong-name.test', '127.0.0.15', {
    ...prosody,
    description: 'Prosody serving a valid certificate for other.test',
    tls: 'required',
    cert: 'wrong-name',
  }),
  'self-signed.test': server('self-signed.test', '127.0.0.16', {
    ...prosody,
    description: 'Prosody serving a self-signed certificate for the right name',
    tls: 'required',
    cert: 'self-signed',
  }),
  'ecdsa.test': server('ecdsa.test', '127.0.0.17', {
    ...prosody,
    description: 'Prosody serving an ECDSA P-256 leaf (valid chain)',
    tls: 'required',
    cert: 'ecdsa',
  }),
  'srvid-only.test': server('srvid-only.test', '127.0.0.18', {
    ...prosody,
    description: 'Prosody serving a certificate whose only identities are XmppAddr and SRVName (no dNSName)',
    tls: 'required',
    cert: 'srvid-only',
  }),
  'no-intermediate.test': server('no-intermediate.test', '127.0.0.19', {
    ...prosody,
    description: 'Prosody serving its leaf without the intermediate that signed it',
    tls: 'required',
    cert: 'no-intermediate',
  }),
  'port-5270.test': server('port-5270.test', '127.0.0.20', {
    ...prosody,
    description: 'healthy Prosody on port 5270, which the SRV record points to',
    tls: 'required',
    cert: 'valid',
    port: 5270,
  }),
  'no-srv.test': {
    ...prosody,
    description: 'no SRV record: the domain A record, Prosody on 5269 (RFC 6120 §3.2.2 fallback)',
    host: 'no-srv.test',
    address: '127.0.0.21',
    port: 5269,
    tls: 'required',
    cert: 'valid',
    dns: [{ type: 'A', name: 'no-srv.test', address: '127.0.0.21' }],
  },
  'closed.test': server('closed.test', '127.0.0.22', {
    server: 'none',
    description: 'SRV to an address where nothing listens (connection refused)',
  }),
  'silent.test': server('silent.test', '127.0.0.23', {
    server: 'silent',
    description: 'SRV to a listener that accepts the connection and never sends a byte',
  }),
  'secure-auth.test': server('secure-auth.test', '127.0.0.24', {
    server: 'prosody',
    description:
      'Prosody with s2s_secure_auth = true and dialback off: peers must authenticate by certificate',
    tls: 'required',
    cert: 'valid',
    secureAuth: true,
    dialback: false,
  }),
  // jabberd2 2.7, the open relative of Cisco XCP: router + sm + s2s, sqlite storage.
  'jabberd2-ok.test': server('jabberd2-ok.test', '127.0.0.60', {
    server: 'jabberd2',
    dialback: true,
    dialbackSecret: JABBERD2_SECRET,
    description:
      'healthy jabberd2 2.7: STARTTLS offered (never with <required/>), require_tls 0, dialback required, verify-mode 0',
    tls: 'optional',
    cert: 'valid',
  }),
  'jabberd2-tls.test': server('jabberd2-tls.test', '127.0.0.61', {
    server: 'jabberd2',
    dialback: true,
    dialbackSecret: JABBERD2_SECRET,
    description:
      'jabberd2 2.7 with <require_tls>1</require_tls>: enforces TLS, yet advertises STARTTLS without <required/>',
    tls: 'required',
    cert: 'valid',
  }),
  'jabberd2-split.test': server('jabberd2-split.test', '127.0.0.63', {
    server: 'jabberd2',
    dialback: true,
    dialbackSecret: JABBERD2_SECRET,
    jabberd2DefaultNode: { address: '127.0.0.62', secret: 'xfed-lab-jabberd2-other-node' },
    description:
      'jabberd2 2.7 with two s2s nodes whose dialback secrets differ: DNS points at the second (non-default) node, outgoing traffic leaves from the default node on 127.0.0.62',
    tls: 'optional',
    cert: 'valid',
  }),
  'misordered-chain.test': server('misordered-chain.test', '127.0.0.80', {
    ...prosody,
    description: 'Prosody sending its chain out of order: leaf, root, intermediate',
    tls: 'required',
    cert: 'misordered',
  }),
  'extra-cert.test': server('extra-cert.test', '127.0.0.81', {
    ...prosody,
    description: 'Prosody sending leaf, intermediate and an unrelated CA certificate',
    tls: 'required',
    cert: 'extra-cert',
  }),
  // DNS-only scenarios (no server): the shapes `xfed check srv` judges.
  'srv-dot.test': {
    server: 'none',
    description: 'SRV with target "." (RFC 2782: service decidedly not available)',
    host: '.',
    address: '',
    port: 0,
    dns: [{ type: 'SRV', name: srvName('srv-dot.test'), target: '.', port: 0 }],
  },
  'srv-cname.test': {
    server: 'none',
    description: 'SRV target is an alias (CNAME) of the real host',
    host: 'alias.srv-cname.test',
    address: '127.0.0.40',
    port: 5269,
    dns: [
      { type: 'SRV', name: srvName('srv-cname.test'), target: 'alias.srv-cname.test', port: 5269 },
      { type: 'CNAME', name: 'alias.srv-cname.test', target: 'xmpp.srv-cname.test' },
      { type: 'A', name: 'xmpp.srv-cname.test', address: '127.0.0.40' },
    ],
  },
  'srv-noaddr.test': {
    server: 'none',
    description: 'SRV target has no A or AAAA record',
    host: 'xmpp.srv-noaddr.test',
    address: '',
    port: 5269,
    dns: [{ type: 'SRV', name: srvName('srv-noaddr.test'), target: 'xmpp.srv-noaddr.test', port: 5269 }],
  },
  'legacy-jabber.test': {
    ...viaSrv('legacy-jabber.test', '127.0.0.41'),
    server: 'none',
    description: 'a proper _xmpp-server SRV plus an obsolete _jabber._tcp SRV',
    address: '127.0.0.41',
    port: 5269,
    dns: [
      ...viaSrv('legacy-jabber.test', '127.0.0.41').dns,
      { type: 'SRV', name: '_jabber._tcp.legacy-jabber.test', target: 'xmpp.legacy-jabber.test', port: 5269 },
    ],
  },
  // xfed's own domain for dialback tests: `xfed dialback` listens on 127.0.0.200:5269 inside the
  // namespace; the lab only publishes its DNS and issues its certificate.
  'xfed.test': {
    ...viaSrv('xfed.test', '127.0.0.200'),
    server: 'xfed',
    description:
      "xfed's own domain: DNS and a certificate for an `xfed dialback` listener on 127.0.0.200:5269",
    address: '127.0.0.200',
    port: 5269,
    cert: 'valid',
    dns: [
      ...viaSrv('xfed.test', '127.0.0.200').dns,
      { type: 'A', name: 'xfed.test', address: '127.0.0.200' },
    ],
  },
} satisfies Record<string, ScenarioSpec>;

export type ScenarioName = keyof typeof SCENARIOS;

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

/** The domain xfed plays in dialback tests. Always in the lab's DNS, whatever subset is started. */
export const XFED_DOMAIN = 'xfed.test' satisfies ScenarioName;
