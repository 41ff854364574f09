/**
 * Property-based tests (fast-check, seeded and reproducible) for the certificate readers that
 * take bytes from the network: the DER/X.509 reader (parseDerDetails, certificateInfo) and the
 * reader of the chain as sent in a TLS handshake (readWireChain).
 *
 * Properties, for every generated input: no exception escapes except the reader's own typed
 * failure (DerError; readWireChain never throws and returns a typed reason), every input ends
 * in a value or that failure, the value's size is bounded by the input's, and the heap does not
 * grow with the number of inputs.
 *
 * Inputs: random bytes; random DER trees shaped like a certificate (the tags the reader walks);
 * and mutations (bit flips, truncation, splices, length-octet edits) of real certificates from
 * the test PKI and of a TLS 1.2 handshake carrying them.
 *
 * XFED_FUZZ_RUNS=<n> runs n inputs per property instead of the CI default; XFED_FUZZ_SEED=<n>
 * replays a seed printed by a failure.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { certificateInfo, DerError, parseDerDetails } from '../../src/protocol/tls/certificate.js';
import { MAX_SENT_CERTIFICATES, readWireChain } from '../../src/protocol/tls/wire-chain.js';
import { issueCert, testPki } from '../helpers/test-ca.js';

const SEED = Number(process.env.XFED_FUZZ_SEED ?? 0x0de5eed);
/**
 * Inputs per property in CI. The two DER/X.509 properties together run 2.5 × RUNS inputs, at
 * least the 10,000 issue 13 asks for; the handshake reader's run RUNS + RUNS / 4 more.
 */
const RUNS = Number(process.env.XFED_FUZZ_RUNS ?? 4000);
const params = { seed: SEED, numRuns: RUNS, endOnFailure: true };

// Real certificates with every extension the reader decodes: SANs of each kind (otherName
// XmppAddr and SRVName, dNSName, URI, iPAddress), EKU, key usage, AIA caIssuers, EC and RSA.
const pki = testPki();
const samples: Buffer[] = [
  pki.root.cert.raw,
  pki.intermediate.cert.raw,
  pki.leaf({
    cn: 'example.org',
    dns: ['example.org', '*.example.org'],
    srv: ['_xmpp-server.example.org'],
    xmppAddr: ['example.org'],
    ip: ['127.0.0.1', '::1'],
    caIssuers: ['http://ca.example/issuer.der'],
    key: 'ec256',
  }).cert.raw,
  issueCert({ selfSigned: true, cn: 'self.example', dns: ['self.example'], key: 'ec256', eku: null }).cert
    .raw,
];

/** DER length octets (definite form, X.690 §8.1.3). */
function lengthOctets(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthOctets(body.length), body]);
}

/** Tags the reader looks at: SEQUENCE, SET, OID, context [0]..[3], OCTET/BIT STRING, strings, SAN choices. */
const TAGS = [
  0x30, 0x31, 0x06, 0xa0, 0xa3, 0x04, 0x03, 0x01, 0x02, 0x0c, 0x13, 0x14, 0x16, 0x1c, 0x1e, 0x82, 0x86, 0x87,
];
/** OIDs the reader branches on (SAN, EKU, key usage, AIA, CN, XmppAddr, SRVName) plus a stray one. */
const OIDS = [
  '551d11',
  '551d25',
  '551d0f',
  '2b06010505070101',
  '550403',
  '2b06010505070805',
  '2b06010505070807',
  '2b06010505073002',
  '2a864886f70d01010b',
  '2b0601040182370201',
].map((h) => tlv(0x06, Buffer.from(h, 'hex')));

/** Random DER trees built from the reader's vocabulary. */
const derTree: fc.Arbitrary<Buffer> = fc.letrec<{ node: Buffer }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...OIDS),
    fc
      .tuple(fc.constantFrom(...TAGS), fc.uint8Array({ maxLength: 24 }))
      .map(([t, b]) => tlv(t, Buffer.from(b))),
    fc
      .tuple(fc.constantFrom(...TAGS), fc.array(tie('node'), { maxLength: 5 }))
      .map(([t, kids]) => tlv(t, Buffer.concat(kids))),
  ),
})).node;

/** ASN.1 string tags of names (UTF8, Printable, T61, IA5, Universal, BMP) and a stray one. */
const STRING_TAGS = [0x0c, 0x13, 0x14, 0x16, 0x1c, 0x1e, 0x04];

/** A Name (RFC 5280 §4.1.2.4): RDNs of (OID, string) pairs, mostly commonName. */
const nameLike = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constant(OIDS[4] as Buffer), fc.constantFrom(...OIDS)),
      fc.constantFrom(...STRING_TAGS),
      fc.uint8Array({ maxLength: 24 }),
    ),
    { maxLength: 4 },
  )
  .map((atvs) =>
    tlv(
      0x30,
      Buffer.concat(
        atvs.map(([oid, tag, body]) =>
          tlv(0x31, tlv(0x30, Buffer.concat([oid, tlv(tag, Buffer.from(body))]))),
        ),
      ),
    ),
  );

/** An extension: SEQUENCE { OID, [critical BOOLEAN,] OCTET STRING { random tree } }. */
const extensionLike = fc
  .tuple(fc.constantFrom(...OIDS), fc.boolean(), derTree)
  .map(([oid, critical, inner]) =>
    tlv(0x30, Buffer.concat([oid, critical ? Buffer.from([1, 1, 0xff]) : Buffer.alloc(0), tlv(0x04, inner)])),
  );

/**
 * A certificate-shaped tree: SEQUENCE { tbs SEQUENCE { [version], serial, alg, issuer, validity,
 * subject, spki, [3] extensions }, sigAlg, sig }, each part random where it may be.
 */
const certLike = fc
  .tuple(
    fc.boolean(),
    fc.array(derTree, { minLength: 3, maxLength: 3 }),
    nameLike,
    nameLike,
    fc.array(fc.oneof(extensionLike, derTree), { maxLength: 6 }),
    derTree,
    derTree,
  )
  .map(([v3, [serial, alg, spki], issuer, subject, exts, sigAlg, sig]) =>
    tlv(
      0x30,
      Buffer.concat([
        tlv(
          0x30,
          Buffer.concat([
            v3 ? tlv(0xa0, tlv(0x02, Buffer.from([2]))) : Buffer.alloc(0),
            serial as Buffer,
            alg as Buffer,
            issuer,
            tlv(0x30, Buffer.alloc(0)),
            subject,
            spki as Buffer,
            tlv(0xa3, tlv(0x30, Buffer.concat(exts))),
          ]),
        ),
        sigAlg,
        sig,
      ]),
    ),
  );

/**
 * Mutations of a real sample: bit flips, a rewritten byte (a tag or a length octet), and unless
 * `gentle`, a truncation and a spliced run. Gentle mutations keep most certificates parseable by
 * node:crypto, so they reach the code behind it.
 */
function mutated(base: readonly Buffer[], gentle = false): fc.Arbitrary<Buffer> {
  const none = fc.constant(undefined);
  return fc
    .tuple(
      fc.constantFrom(...base),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: gentle ? 2 : 8 }),
      gentle ? none : fc.option(fc.nat(), { nil: undefined }),
      gentle
        ? none
        : fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })), { nil: undefined }),
      fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { nil: undefined }),
    )
    .map(([src, flips, cut, splice, setByte]) => {
      let b = Buffer.from(src);
      for (const [at, bit] of flips) b[at % b.length] = (b[at % b.length] as number) ^ (1 << bit);
      if (setByte) b[setByte[0] % b.length] = setByte[1];
      if (splice) {
        const at = splice[0] % (b.length + 1);
        b = Buffer.concat([b.subarray(0, at), Buffer.from(splice[1]), b.subarray(at)]);
      }
      if (cut !== undefined) b = b.subarray(0, cut % (b.length + 1));
      return b;
    });
}

const anyDer = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((u) => Buffer.from(u)),
  derTree,
  certLike,
  mutated(samples),
);

/** JSON size of a result: a reader's output may not be much larger than its input. */
function bounded(value: unknown, input: Buffer): boolean {
  return JSON.stringify(value).length <= 64 * input.length + 1024;
}

/** Runs `body`, returning the heap growth in bytes after a GC when one is available. */
async function heapGrowth(body: () => Promise<void> | void): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  await body();
  gc?.();
  return process.memoryUsage().heapUsed - before;
}

describe('fuzz: DER / X.509 reader', () => {
  it(`parseDerDetails: a value or a DerError for every input (${2 * RUNS} inputs, seed ${SEED})`, async () => {
    const growth = await heapGrowth(() =>
      fc.assert(
        fc.property(anyDer, (der) => {
          try {
            const d = parseDerDetails(der);
            assert.equal(typeof d.signatureAlgorithm, 'string');
            assert.ok(Array.isArray(d.commonNames) && Array.isArray(d.san.dns));
            assert.ok(bounded(d, der), `output of ${d ? JSON.stringify(d).length : 0} chars`);
          } catch (e) {
            if (!(e instanceof DerError)) throw e;
          }
        }),
        { ...params, numRuns: 2 * RUNS },
      ),
    );
    assert.ok(growth < 64 * 1024 * 1024, `heap grew by ${growth} bytes`);
  });

  it(`certificateInfo: never throws on a certificate node:crypto accepts (${RUNS / 2} inputs)`, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(mutated(samples, true), async (der) => {
        let cert: X509Certificate;
        try {
          cert = new X509Certificate(der);
        } catch {
          return; // node:crypto refused it: never reaches our reader
        }
        accepted++;
        const info = await certificateInfo(cert);
        assert.equal(typeof info.subject, 'string');
        assert.equal(typeof info.signatureAlgorithm, 'string');
        assert.ok(bounded({ ...info, pem: '' }, der));
      }),
      { ...params, numRuns: RUNS / 2 },
    );
    // The mutations must reach the reader often enough to mean something.
    assert.ok(accepted > RUNS / 8, `only ${accepted} of ${RUNS / 2} mutated certificates parsed`);
  });
});

/** A TLS 1.2 server flight: ServerHello record, then a Certificate message split over records. */
function tls12Flight(certs: readonly Buffer[], fragment: number): Buffer {
  const record = (type: number, body: Buffer) =>
    Buffer.concat([Buffer.from([type, 3, 3, body.length >> 8, body.length & 0xff]), body]);
  const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
  const hello = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 7), Buffer.from([0, 0xc0, 0x2f, 0])]);
  const list = Buffer.concat(certs.map((c) => Buffer.concat([u24(c.length), c])));
  const certMsg = Buffer.concat([Buffer.from([11]), u24(list.length + 3), u24(list.length), list]);
  const helloMsg = Buffer.concat([Buffer.from([2]), u24(hello.length), hello]);
  const out = [record(22, helloMsg)];
  for (let at = 0; at < certMsg.length; at += fragment)
    out.push(record(22, certMsg.subarray(at, at + fragment)));
  return Buffer.concat(out);
}

describe('fuzz: chain as sent (TLS handshake reader)', () => {
  it('reads a well-formed TLS 1.2 flight back exactly, however it is fragmented', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...samples), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 4000 }),
        (certs, fragment) => {
          const r = readWireChain(tls12Flight(certs, fragment));
          assert.ok(r.ok, JSON.stringify(r));
          assert.equal(r.tlsVersion, 'TLSv1.2');
          assert.deepEqual(r.certificates, certs);
        },
      ),
      { ...params, numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it(`never throws: a chain or a typed reason for every input (${RUNS} inputs)`, async () => {
    const flights = [tls12Flight(samples.slice(0, 3), 16384), tls12Flight(samples, 700)];
    const reasons = new Set(['too-large', 'no-secret', 'undecryptable', 'malformed', 'unsupported']);
    const growth = await heapGrowth(() =>
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 512 }).map((u) => Buffer.from(u)),
            mutated(flights),
          ),
          fc.option(fc.uint8Array({ minLength: 32, maxLength: 48 }), { nil: undefined }),
          (bytes, secret) => {
            const r = readWireChain(bytes, secret ? Buffer.from(secret) : undefined);
            if (r.ok) {
              assert.ok(r.certificates.length <= MAX_SENT_CERTIFICATES);
              assert.ok(r.certificates.reduce((n, c) => n + c.length, 0) <= bytes.length);
            } else {
              assert.ok(reasons.has(r.reason), r.reason);
              assert.equal(typeof r.detail, 'string');
            }
          },
        ),
        params,
      ),
    );
    assert.ok(growth < 64 * 1024 * 1024, `heap grew by ${growth} bytes`);
  });
});
