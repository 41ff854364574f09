/**
 * Catalog: findings of area 'axl' (xfed axl-auth: Cisco AXL credentials and the IM and Presence
 * xmpps2snodes table; protocol notes §4, TAC 213865). IDs are forever (report contract, "Finding IDs").
 */
import { defineCatalog } from './types.js';

const AXL_GUIDE = 'https://developer.cisco.com/docs/axl/';
const TAC_213865 =
  'https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/213865-configure-and-troubleshoot-xmpp-federati.html';
const FEDERATION_GUIDE =
  'https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X14-0-2/chat_presence/exwy_b_chat-and-presence-federation-using-expressway-X1402/exwy_m_xmpp-federation-through-expressway.html';

const endpoint = { host: 'imp.example.com', port: 8443, hostPort: 'imp.example.com:8443' };
const url = 'https://imp.example.com:8443/axl/';

export const axlCatalog = defineCatalog({
  'axl.connect.refused': {
    severity: 'error',
    title: 'Connection refused by {hostPort}',
    symptom:
      'xfed could not open a TCP connection to {hostPort}: connection refused. Expressway-C reaches the IM and Presence AXL service on the same port, so its AXL writes to the xmpps2snodes table fail too and federation works one way only.',
    cause:
      'Nothing listens on port {port} at {host}: wrong host or port, Cisco Tomcat is down, or a firewall actively rejects the connection.',
    fix: 'Check the host and port (AXL is HTTPS on 8443 on the publisher). On {host}, check that Cisco Tomcat runs (CLI: utils service list). Allow TCP {port} from Expressway-C, and from this machine, to {host}.',
    refs: [TAC_213865, AXL_GUIDE],
    exampleEvidence: { ...endpoint, message: 'connect ECONNREFUSED 192.0.2.10:8443' },
  },
  'axl.connect.timeout': {
    severity: 'error',
    title: 'No connection to {hostPort} within {timeoutMs} ms',
    symptom:
      'The {step} to {hostPort} did not complete within {timeoutMs} ms, so no request (AXL or Control Center Services) could be sent.',
    cause:
      'A firewall drops the packets to port {port}, the host is wrong or down, or the service on that port accepts TCP but never answers the TLS handshake.',
    fix: 'Check routing and firewall rules for TCP {port} from Expressway-C (and from this machine) to {host}; confirm {host} is the Unified CM or IM and Presence publisher; raise --timeout if the path is just slow.',
    refs: [TAC_213865],
    exampleEvidence: { ...endpoint, step: 'TLS handshake', timeoutMs: 10000 },
  },
  'axl.connect.failed': {
    severity: 'error',
    title: 'Could not connect to {hostPort} ({reason})',
    symptom: 'The {step} to {hostPort} failed: {message}.',
    cause:
      'The host name does not resolve, the network to {host} is unreachable, or the connection was dropped before TLS started.',
    fix: 'Check the host name (nslookup {host}, here and on Expressway-C) and the network path to {host} port {port}. Use the name Expressway-C lists under Configuration > Unified Communications > IM and Presence Service nodes.',
    refs: [TAC_213865],
    exampleEvidence: {
      ...endpoint,
      step: 'TCP connect',
      reason: 'nxdomain',
      message: 'getaddrinfo ENOTFOUND imp.example.com',
    },
  },
  'axl.tls.handshake-failed': {
    severity: 'error',
    title: 'TLS handshake with {hostPort} failed',
    symptom: 'TCP to {hostPort} worked, but the TLS handshake failed: {message}.',
    cause:
      'The service on port {port} does not speak TLS (plain HTTP or another protocol), or it offers only TLS versions or ciphers this client refuses.',
    fix: 'AXL and Control Center Services are HTTPS on port 8443 (Cisco Tomcat): check the port. If the port is right, check the Tomcat TLS settings on {host} (minimum TLS version, cipher configuration) and that Cisco Tomcat started cleanly.',
    refs: [AXL_GUIDE],
    exampleEvidence: { ...endpoint, message: 'wrong version number' },
  },
  'axl.tls.certificate-changed': {
    severity: 'error',
    title: '{hostPort} presented a different certificate on its second connection',
    symptom:
      'The certificate checked on the first connection to {hostPort} (SHA-256 {expected}) is not the one presented on the connection for {request} (SHA-256 {presented}), so xfed did not send the credentials over it.',
    cause:
      'Several servers answer on {hostPort} with different Tomcat certificates (a load balancer or a shared address in front of several nodes), or the certificate on {host} was replaced during the run.',
    fix: 'Point xfed and Expressway-C at the publisher node itself, not at a shared address. If {host} is that node, check in Cisco Unified OS Administration (Security > Certificate Management) which tomcat certificate it presents, then run xfed again.',
    refs: [AXL_GUIDE],
    exampleEvidence: {
      ...endpoint,
      request: 'GET /axl/',
      expected: '5B:BB:97:C2:…:D5:EA:76',
      presented: 'EC:FA:23:9C:…:B2:92:A1:35',
    },
  },
  'axl.tls.insecure': {
    severity: 'warning',
    title: 'Certificate checks skipped for {hostPort} (--insecure)',
    symptom:
      'xfed sent the AXL credentials to {hostPort} without verifying its certificate; any certificate finding in this report did not stop the test.',
    cause:
      '--insecure was given. Expressway-C verifies the Unified CM / IM and Presence Tomcat certificate when TLS verify mode is on for these nodes, so a certificate xfed cannot verify can still break Expressway-C.',
    fix: 'Run again without --insecure, adding the issuing CA with --ca <file>, so the test matches what Expressway-C sees. Make sure the same CA is in the Expressway-C trusted CA list, or fix the Tomcat certificate on {host}.',
    refs: [FEDERATION_GUIDE],
    exampleEvidence: { ...endpoint },
  },
  'axl.auth.not-attempted': {
    severity: 'warning',
    title: 'AXL credentials not tested: the certificate of {hostPort} is not verified',
    symptom:
      'xfed did not send the password of {user} to {hostPort}, so the credentials, the AXL service and xmpps2snodes were not checked.',
    cause:
      'The server certificate failed verification ({certError}). xfed sends AXL credentials only to a server it can verify, as Expressway-C does with TLS verify mode on.',
    fix: 'Fix the certificate first (see the certificate findings): add the issuing CA with --ca <file> (Expressway-C needs the same CA in its trusted CA list), or fix the Tomcat certificate on {host} (names, expiry, chain). To test the credentials anyway, add --insecure.',
    refs: [FEDERATION_GUIDE],
    exampleEvidence: { ...endpoint, user: 'expressway-axl', certError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
  },
  'axl.auth.unauthorized': {
    severity: 'error',
    title: 'AXL rejected the credentials of {user} (HTTP 401)',
    symptom:
      'Federation works one way only: Expressway-C cannot update the IM and Presence xmpps2snodes table, and its network.axl log shows Function="executeSQLQuery" Status="401". Here {url} answered {request} with 401 Unauthorized.',
    cause:
      'The password of {user} is wrong, the user name is wrong, or the account is locked (failed logins, expired credential policy). Expressway-C uses this same application user for its AXL writes.',
    fix: 'In Cisco Unified CM Administration, check the application user {user} (User Management > Application User): reset the password or unlock it. On Expressway-C, enter the corrected credentials for this node (Configuration > Unified Communications > IM and Presence Service nodes), then refresh the IM and Presence server discovery. Run xfed axl-auth again with the same user to confirm.',
    refs: [TAC_213865, AXL_GUIDE],
    exampleEvidence: { ...endpoint, url, user: 'expressway-axl', request: 'GET /axl/' },
  },
  'axl.auth.forbidden': {
    severity: 'error',
    title: '{user} may not use AXL (HTTP 403)',
    symptom:
      "{url} answered {request} with 403 Forbidden for {user}. Expressway-C's AXL writes to xmpps2snodes fail the same way, so federation works one way only.",
    cause:
      'The user is known but lacks the Standard AXL API Access role: no access control group it belongs to grants AXL.',
    fix: 'In Cisco Unified CM Administration, add {user} to an access control group with the role Standard AXL API Access (User Management > User Settings > Access Control Group), save, then refresh the IM and Presence server discovery on Expressway-C.',
    refs: [AXL_GUIDE, TAC_213865],
    exampleEvidence: { ...endpoint, url, user: 'expressway-axl', request: 'POST getCCMVersion (AXL 14.0)' },
  },
  'axl.service.not-found': {
    severity: 'error',
    title: 'No AXL Web Service at {url} (HTTP 404)',
    symptom:
      '{request} to {hostPort} answered 404 Not Found, so neither xfed nor Expressway-C can use AXL on this node.',
    cause:
      'The Cisco AXL Web Service is not activated on {host}, or {host} is not the node AXL requests go to (the Unified CM publisher or the IM and Presence database publisher), or something in front of it rewrites the /axl/ path.',
    fix: 'In Cisco Unified Serviceability on {host}, open Tools > Service Activation and activate Cisco AXL Web Service, then check that it runs (Tools > Control Center - Feature Services). Point Expressway-C and xfed at the publisher, with the URL exactly https://{hostPort}/axl/ (trailing slash).',
    refs: [AXL_GUIDE],
    exampleEvidence: { ...endpoint, url, request: 'GET /axl/' },
  },
  'axl.endpoint.not-axl': {
    severity: 'error',
    title: '{hostPort} is not a Unified CM / IM and Presence AXL endpoint',
    symptom:
      '{request} got HTTP {status} ({contentType}), which is neither the AXL service page nor a SOAP answer: {answer}',
    cause:
      'Another web server, a load balancer, a proxy or a login portal answers on {hostPort}: the host or the port is wrong.',
    fix: 'Use the Unified CM or IM and Presence publisher host name and port 8443, as listed on Expressway-C. Opening https://{hostPort}/axl/ in a browser with the AXL user must show "The AXL Web Service is working and accepting requests".',
    refs: [AXL_GUIDE, TAC_213865],
    exampleEvidence: {
      ...endpoint,
      request: 'GET /axl/',
      status: 200,
      contentType: 'text/html',
      answer: 'Welcome to nginx!',
    },
  },
  'axl.version.unsupported': {
    severity: 'error',
    title: 'No AXL schema version accepted by {hostPort}',
    symptom:
      'Every getCCMVersion attempt was rejected as an incorrect AXL version (tried {tried}; the server lists {supported}): {answer}',
    cause:
      'The AXL version in the SOAPAction header and the request namespace must be one this release supports: its own major version and the two before it.',
    fix: 'Run xfed axl-auth with --axl-version set to one of {supported}. If Expressway-C fails the same way, its release predates this Unified CM / IM and Presence release: upgrade Expressway.',
    refs: [AXL_GUIDE],
    exampleEvidence: {
      ...endpoint,
      tried: ['15.0', '14.0'],
      supported: ['12.5', '12.0', '11.5'],
      answer: 'Incorrect axl version. Supported axl versions are 11.5 and 12.x',
    },
  },
  'axl.version.mismatch': {
    severity: 'warning',
    title: 'AXL version {requested} is not supported by {hostPort}; {used} works',
    symptom: '{hostPort} rejected AXL version {requested} ("Incorrect axl version") and accepted {used}.',
    cause: 'This release accepts AXL versions {supported}; {requested} is not among them.',
    fix: 'Use --axl-version {used}, or leave the flag out to negotiate. Change scripts and integrations that pin AXL {requested} to a supported version.',
    refs: [AXL_GUIDE],
    exampleEvidence: {
      ...endpoint,
      requested: '11.0',
      used: '14.0',
      supported: ['15.0', '14.0', '12.5', '12.0'],
    },
  },
  'axl.soap.fault': {
    severity: 'error',
    title: 'AXL fault for {operation}: {axlmessage}',
    symptom:
      '{request} answered HTTP {status} with a SOAP fault: faultcode {faultcode}, faultstring "{faultstring}", axlcode {axlcode}, axlmessage "{axlmessage}".',
    cause:
      'The credentials and the AXL version were accepted, but {host} refused the operation itself (axlcode {axlcode}). Negative axlcodes are Informix database errors; 5000-range codes are AXL validation errors.',
    fix: "Look up axlcode {axlcode} in the AXL error codes of the AXL developer guide; check the Cisco AXL Web Service and the database on {host} (Cisco Unified Serviceability, RTMT), then retry. If Expressway-C's network.axl log shows the same fault, open a case quoting the axlcode and axlmessage.",
    refs: [AXL_GUIDE],
    exampleEvidence: {
      ...endpoint,
      operation: 'getCCMVersion',
      request: 'POST getCCMVersion (AXL 14.0)',
      status: 500,
      faultcode: 'soapenv:Server',
      faultstring: 'Maximum AXL Memory Allocation Consumed',
      axlcode: '-1',
      axlmessage:
        'Maximum AXL Memory Allocation Consumed. Please retry once requests in progress have completed',
    },
  },
  'axl.s2s.table-missing': {
    severity: 'error',
    title: '{host} has no xmpps2snodes table: it is not an IM and Presence node',
    symptom: '{request} failed: {axlmessage} (axlcode {axlcode}).',
    cause:
      'The xmpps2snodes table exists only in the IM and Presence Service database; {host} is probably a Unified CM node.',
    fix: 'Run xfed axl-auth --query-s2s against the IM and Presence database publisher, the node Expressway-C lists under Configuration > Unified Communications > IM and Presence Service nodes.',
    refs: [TAC_213865],
    exampleEvidence: {
      ...endpoint,
      request: 'POST executeSQLQuery (AXL 14.0)',
      axlcode: '-206',
      axlmessage: 'The specified table (xmpps2snodes) is not in the database.',
    },
  },
  'axl.service.throttled': {
    severity: 'error',
    title: 'AXL on {hostPort} is throttling requests (HTTP 503)',
    symptom:
      '{request} answered 503 Service Unavailable; xfed waited {waitedMs} ms (Retry-After: {retryAfterS} s), retried once, and was refused again.',
    cause:
      'The AXL service throttles when the database change-notification or transaction queue is too long, or when too many AXL requests run at once (other integrations, bulk jobs).',
    fix: 'Wait and run xfed again. In RTMT, check the AXL throttling counters (ThrottleCount, ThrottleState) and which applications send AXL requests to {host}; spread out bulk provisioning jobs.',
    refs: [AXL_GUIDE],
    exampleEvidence: {
      ...endpoint,
      request: 'POST getCCMVersion (AXL 14.0)',
      waitedMs: 5000,
      retryAfterS: 5,
    },
  },
  'axl.http.timeout': {
    severity: 'error',
    title: 'No answer from AXL at {hostPort} within {timeoutMs} ms',
    symptom: '{request}: the connection was up, but the {phase} did not arrive within {timeoutMs} ms.',
    cause:
      'The AXL service (Cisco Tomcat) on {host} accepts connections but does not answer: overloaded, hung or still starting; or a proxy in between holds the request.',
    fix: 'Check Cisco Tomcat and CPU on {host} in RTMT; if it stays silent, restart it (CLI: utils service restart Cisco Tomcat). Run again with a longer --timeout to tell slow from hung.',
    refs: [AXL_GUIDE],
    exampleEvidence: { ...endpoint, request: 'GET /axl/', phase: 'response headers', timeoutMs: 10000 },
  },
  'axl.http.failed': {
    severity: 'error',
    title: 'The AXL request to {hostPort} failed ({reason})',
    symptom: '{request}: {message}.',
    cause:
      'The connection was closed or reset before a complete answer arrived, or the answer was longer than xfed reads ({limitBytes} bytes).',
    fix: 'Look for firewalls, load balancers or IPS devices between this machine and {hostPort} that cut HTTPS sessions, and check Cisco Tomcat on {host}. Run again with --transcript to see how far the exchange got.',
    refs: [AXL_GUIDE],
    exampleEvidence: {
      ...endpoint,
      request: 'POST getCCMVersion (AXL 14.0)',
      reason: 'closed',
      message: 'other side closed',
      limitBytes: 1048576,
    },
  },
  'axl.http.unexpected-status': {
    severity: 'error',
    title: 'Unexpected HTTP {status} from AXL at {hostPort}',
    symptom: '{request} answered HTTP {status} (Location: {location}): {answer}',
    cause:
      'AXL answers 200, or 401, 403, 404, 500, 503 or 599 for known problems. Any other status means a proxy, a load balancer or another web application answered, or Tomcat is in a bad state.',
    fix: 'Make sure {hostPort} reaches the Unified CM or IM and Presence node directly, with no proxy that redirects or rewrites (a redirect usually leads to a login portal). Check Cisco Tomcat on {host}.',
    refs: [AXL_GUIDE],
    exampleEvidence: {
      ...endpoint,
      request: 'GET /axl/',
      status: 302,
      location: 'https://imp.example.com:8443/cupadmin/',
      answer: '(empty)',
    },
  },
  'axl.auth.ok': {
    severity: 'info',
    title: 'AXL accepted {user} at {hostPort} (AXL {axlVersion})',
    symptom:
      'Verified: TLS to {hostPort} (certificate {certificate}), the AXL Web Service page at {url}, and a getCCMVersion call with AXL schema {axlVersion} (Unified CM version {ccmVersion}).',
    cause:
      'The user name and password are right, the account may use AXL, and the Cisco AXL Web Service runs on {host}.',
    fix: 'Nothing to fix here. If Expressway-C still logs network.axl Status="401", its stored credentials for this node differ from these: enter them again on Expressway-C and refresh the IM and Presence server discovery.',
    refs: [TAC_213865],
    exampleEvidence: {
      ...endpoint,
      url,
      user: 'expressway-axl',
      axlVersion: '14.0',
      ccmVersion: '14.0.1.12900(161)',
      certificate: 'verified',
    },
  },
  'axl.s2s.empty': {
    severity: 'error',
    title: 'xmpps2snodes on {host} is empty: Expressway-C never registered its S2S nodes',
    symptom:
      'Federation works one way only, or not at all: remote XMPP domains cannot reach IM and Presence users. "select * from xmpps2snodes" on {host} returned no rows.',
    cause:
      "When XMPP federation is enabled on Expressway-E, Expressway-C writes the Expressway-E S2S component into this table over AXL. The table is empty because XMPP federation support is off on Expressway, or because Expressway-C's AXL write failed (credentials, AXL role, certificate trust).",
    fix: 'On Expressway-E set Configuration > Unified Communications > XMPP federation support to On and wait 30 s. If the table stays empty, set the network.axl log to debug on Expressway-C and look for Function="executeSQLQuery" with a Status other than 200; correct the IM and Presence credentials on Expressway-C, refresh the IM and Presence server discovery, and restart Cisco XCP Router on IM and Presence. (If IM and Presence federates by itself, not through Expressway, this table stays empty by design.)',
    refs: [TAC_213865, FEDERATION_GUIDE],
    exampleEvidence: { ...endpoint },
  },
  'axl.s2s.present': {
    severity: 'info',
    title: 'xmpps2snodes on {host} lists {count} S2S node(s)',
    symptom: 'Rows (pkid cp_id): {rows}.',
    cause:
      'Expressway-C wrote its Expressway-E S2S component into the IM and Presence database over AXL, so this part of the federation setup is in place.',
    fix: 'Nothing to fix here. cp_id names the Expressway-E S2S component (cm-<n>_s2scp-<n>.<Expressway-E host name with - for .>). If it names an Expressway-E that no longer exists, turn XMPP federation support off and on again on Expressway-E, then restart Cisco XCP Router on IM and Presence.',
    refs: [TAC_213865],
    exampleEvidence: {
      ...endpoint,
      count: 1,
      rows: ['055c13d9-943d-459d-a3c6-af1d1176936d cm-2_s2scp-1.eft-xwye-a-coluc-com'],
    },
  },
});
