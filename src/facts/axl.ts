/**
 * AXL facts: what `xfed axl-auth` gathered from a Cisco Unified CM / IM and Presence AXL
 * endpoint (protocol notes §4). The contract between gather/axl.ts and judge/rules/axl.ts;
 * verdict-free, and never holds the password or a session cookie value.
 */
import type { Attempt, FailureReason } from './attempt.js';
import type { CertCheckFacts } from './cert.js';

/** The three things axl-auth asks, in order: is AXL there, which schema version, the S2S table. */
export type AxlStep = 'service-page' | 'version' | 'xmpps2snodes';

export type AxlOperation = 'getCCMVersion' | 'executeSQLQuery';

export interface AxlEndpoint {
  host: string;
  port: number;
  /** host:port as used in finding text ([v6]:port for IPv6). */
  hostPort: string;
  /** The AXL service URL, https://host:port/axl/ (trailing slash required, notes §4.1). */
  url: string;
}

/** The TLS connection used to read the server certificate before any credential is sent. */
export interface AxlTlsFacts {
  /** Negotiated protocol, e.g. TLSv1.3. */
  protocol: string | null;
  /** Negotiated cipher suite name. */
  cipher: string | null;
}

/** What a response body turned out to be (classified in protocol/axl; no verdicts). */
export type AxlBody =
  | { kind: 'empty' }
  /** A SOAP envelope whose Body holds an operation response; `element` is its local name. */
  | { kind: 'soap-response'; element: string }
  /** A SOAP Fault; the axl* fields come from detail/axlError (AXL schema). */
  | {
      kind: 'soap-fault';
      faultcode?: string;
      faultstring?: string;
      axlcode?: string;
      axlmessage?: string;
      request?: string;
    }
  /** The GET /axl/ page saying the AXL Web Service "is working and accepting requests". */
  | { kind: 'service-page'; title?: string }
  /** "Incorrect axl version. Supported axl versions are …" (HTTP 599 or in a fault). */
  | { kind: 'version-rejected'; supported: string[]; text: string }
  /** An HTML page that is none of the above (login portal, Tomcat error page, proxy page). */
  | { kind: 'html'; title?: string; snippet: string }
  /** XML that does not parse, or parses but is not a SOAP envelope. */
  | { kind: 'not-soap'; detail: string; snippet: string }
  /** Anything else (JSON, plain text, binary). */
  | { kind: 'other'; snippet: string };

/** Why a request got no complete answer. */
export interface AxlRequestError {
  reason: FailureReason;
  message: string;
  phase: 'connect' | 'headers' | 'body';
  /**
   * The connection for this request presented another certificate than the one judged first
   * (SHA-256 fingerprints), so no request was sent on it.
   */
  certificateChanged?: { presented: string; expected: string };
}

/**
 * One HTTP request to a Cisco Tomcat SOAP service (AXL, Control Center Services) and its
 * answer, or the lack of one. Shared by every command that talks to those services.
 */
export interface HttpExchange {
  method: 'GET' | 'POST';
  path: string;
  /** SOAPAction header value as sent, e.g. "CUCM:DB ver=14.0 getCCMVersion" (with quotes). */
  soapAction?: string;
  /** Basic credentials, or the JSESSIONIDSSO cookie from an earlier answer (notes §4.1). */
  auth: 'basic' | 'session-cookie';
  /** HTTP status; absent when no answer arrived. */
  status?: number;
  contentType?: string;
  /** Retry-After of a 503, in seconds. */
  retryAfterS?: number;
  /** Location header of a redirect. */
  location?: string;
  /** Names (never values) of the cookies the server set. */
  cookiesSet?: string[];
  body?: AxlBody;
  /** Body bytes read (at most the read limit). */
  bodyBytes?: number;
  /** True when the body was longer than the read limit and xfed stopped reading. */
  truncated?: boolean;
  /** The request got no complete answer. */
  error?: AxlRequestError;
  durationMs: number;
}

/** One AXL request and its answer (or the lack of one). */
export interface AxlExchange extends HttpExchange {
  step: AxlStep;
  operation?: AxlOperation;
  /** AXL schema version sent in SOAPAction and the request namespace. */
  axlVersion?: string;
}

/** Why no credentials were sent although the TLS connection worked. */
export interface AxlWithheld {
  because: 'certificate-not-verified';
  /** OpenSSL verification code (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE), or "the certificate does not name <host>". */
  error: string;
}

export interface AxlFacts {
  endpoint: AxlEndpoint;
  /** AXL application user name (not secret; the password never enters facts). */
  user: string;
  /** --axl-version, when given. */
  requestedVersion?: string;
  /** --insecure: certificate checks skipped for the AXL requests. */
  insecure: boolean;
  /** --query-s2s. */
  queryS2s: boolean;
  /** Milliseconds each network step may take (--timeout). */
  timeoutMs: number;
  /** Bytes of each answer body xfed reads at most. */
  maxBodyBytes: number;
  tls: Attempt<AxlTlsFacts>;
  /** Certificate facts of the TLS connection, for the shared certificate rules. */
  cert?: CertCheckFacts;
  credentialsWithheld?: AxlWithheld;
  /** Every HTTP exchange, in the order sent (requests are serial). */
  exchanges: AxlExchange[];
  /** The AXL schema version the server accepted for getCCMVersion. */
  negotiatedVersion?: string;
  /** Milliseconds xfed last waited after a 503 before retrying (Retry-After, bounded by the timeout). */
  throttleWaitMs?: number;
  /** Supported versions the server listed when it rejected one (599). */
  supportedVersions?: string[];
  /** getCCMVersion return/componentVersion/version, e.g. 14.0.1.12900(161). */
  ccmVersion?: string;
  /** Rows of `select * from xmpps2snodes`, when that query answered. */
  s2sNodes?: { rows: Record<string, string>[]; truncated: boolean };
}

/**
 * True when an exchange got the answer its request asks for: the service page for GET /axl/,
 * a SOAP response for an AXL operation. A protocol fact used by the gatherer (to go on) and
 * the rules (to find the answer that ended a step); no judgement of why.
 */
export function answered(ex: AxlExchange): boolean {
  if (ex.status !== 200 || ex.truncated) return false;
  return ex.method === 'GET' ? ex.body?.kind === 'service-page' : ex.body?.kind === 'soap-response';
}
