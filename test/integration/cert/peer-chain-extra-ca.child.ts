/**
 * Child process of peer-chain-from-sent.test.ts: NODE_EXTRA_CA_CERTS is read by Node at start,
 * so a store with extra certificates needs a process of its own. Serves argv's chain, probes it
 * over a capture until peerChain rebuilds it itself, and prints the last chain next to what
 * getPeerCertificate(true) gives on the same socket, and whether node:tls was asked.
 */
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { peerChain, REBUILD_AFTER_CHAINS } from '../../../src/protocol/tls/certificate.js';
import { secureContextWithAnchors, skipServerIdentity } from '../../../src/protocol/tls/trust.js';
import { HandshakeCapture } from '../../../src/protocol/tls/wire-chain.js';

const [keyFile, chainFile] = process.argv.slice(2) as [string, string];
const srv = tls.createServer({ key: readFileSync(keyFile), cert: readFileSync(chainFile) }, (s) => s.end());
await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
const { port } = srv.address() as AddressInfo;
const secureContext = secureContextWithAnchors([]);
let last: unknown;
// Past the first REBUILD_AFTER_CHAINS chains, until the store index (built in the background)
// is used; at most 200 connections.
for (let i = 0; i < 200; i++) {
  const raw = net.connect({ host: '127.0.0.1', port });
  await new Promise((r) => raw.once('connect', r));
  const capture = new HandshakeCapture(raw);
  const socket = tls.connect({
    socket: capture.stream,
    servername: 'example.org',
    secureContext,
    rejectUnauthorized: false,
    checkServerIdentity: skipServerIdentity,
  });
  capture.attach(socket, secureContext);
  await new Promise((r) => socket.once('secureConnect', r));
  const original = socket.getPeerCertificate.bind(socket);
  let askedNode = 0;
  socket.getPeerCertificate = ((d?: boolean) => {
    askedNode++;
    return original(d as true);
  }) as typeof socket.getPeerCertificate;
  const chain = await peerChain(socket);
  const expected: string[] = [];
  for (let c: tls.DetailedPeerCertificate | undefined = original(true); c?.raw; ) {
    if (expected.includes(c.fingerprint256)) break;
    expected.push(c.fingerprint256);
    c = c.issuerCertificate;
  }
  last = {
    askedNode,
    authorized: socket.authorized,
    chain: chain.map((c) => ({ fingerprint256: c.fingerprint256, trustAnchor: c.trustAnchor === true })),
    expected,
  };
  socket.destroy();
  if (i >= REBUILD_AFTER_CHAINS && askedNode === 0) break;
  await new Promise((r) => setTimeout(r, 10));
}
srv.close();
process.stdout.write(`${JSON.stringify(last)}\n`);
