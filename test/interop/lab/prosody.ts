/**
 * Prosody 0.12 for the lab: one process per scenario (each policy differs), its own config,
 * data dir and log in the lab's temp dir, s2s only on the scenario's 127.0.0.x, run as the
 * `prosody` user (Prosody refuses to keep running as root) via setpriv, in the foreground
 * (`-F`) so the lab owns the PID. Policy knobs: s2s_require_encryption, s2s_secure_auth,
 * mod_dialback (XEP-0220) on or off; no certificate means no STARTTLS offered (RFC 6120 §5.3.1).
 */
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LeafCert } from './ca.js';
import { type SpawnedProcess, spawnInNamespace } from './netns.js';
import { serviceUser } from './users.js';

export interface ProsodyOptions {
  domain: string;
  address: string;
  port: number;
  /** required: s2s_require_encryption; optional: STARTTLS offered, not required; none: no certificate at all. */
  tls: 'required' | 'optional' | 'none';
  /** s2s_secure_auth: only certificate-authenticated peers (no dialback fallback). */
  secureAuth: boolean;
  /** mod_dialback loaded. */
  dialback: boolean;
  cert?: LeafCert;
  /** The lab root CA: the trust store for peers' certificates. */
  caFile: string;
  /** s2s connect/negotiation timeout in seconds (Prosody's default is 90). */
  s2sTimeoutS: number;
}

const lua = (s: string) => JSON.stringify(s);

export function prosodyConfig(o: ProsodyOptions, dir: string): string {
  // Without mod_tls there is no STARTTLS at all; with it but no certificate, Prosody 0.12 still
  // offers STARTTLS (and then fails the handshake), which is a different scenario.
  const tls = o.tls !== 'none';
  // mod_saslauth offers SASL EXTERNAL (RFC 6120 §6.4.3) to peers whose certificate verified.
  const modules = [...(tls ? ['tls', 'saslauth'] : []), 'disco', 'ping', ...(o.dialback ? ['dialback'] : [])];
  const disabled = ['c2s', 'offline', ...(tls ? [] : ['tls']), ...(o.dialback ? [] : ['dialback'])];
  const vhostSsl = o.cert
    ? `  ssl = { certificate = ${lua(o.cert.chainFile)}, key = ${lua(o.cert.keyFile)} }\n`
    : '';
  return `-- xfed interop lab: Prosody for ${o.domain} (generated)
pidfile = ${lua(join(dir, 'prosody.pid'))}
data_path = ${lua(join(dir, 'data'))}
log = { { levels = { min = "debug" }, to = "file", filename = ${lua(join(dir, 'prosody.log'))} } }
-- Listen only on this scenario's address: s2s on its port, nothing on 0.0.0.0.
interfaces = { ${lua(o.address)} }
local_interfaces = { ${lua(o.address)} }
s2s_interfaces = { ${lua(o.address)} }
s2s_ports = { ${o.port} }
modules_enabled = { ${modules.map(lua).join(', ')} }
modules_disabled = { ${disabled.map(lua).join(', ')} }
-- An empty certificate directory: Prosody must not pick up a certificate by itself.
certificates = ${lua(join(dir, 'certs'))}
-- Trust store for peer certificates: the lab root CA only.
ssl = { cafile = ${lua(o.caFile)} }
s2s_require_encryption = ${o.tls === 'required'}
s2s_secure_auth = ${o.secureAuth}
s2s_timeout = ${o.s2sTimeoutS}
storage = "internal"
-- libunbound answers NXDOMAIN for the RFC 6761 special-use zone "test." by itself (a built-in
-- local zone); "transparent" makes it ask the lab DNS from resolv.conf instead ("nodefault"
-- does not, with libunbound 1.17).
unbound = { resolvconf = true, hoststxt = true, options = { ["local-zone:"] = "test. transparent" } }
authentication = "internal_hashed"

VirtualHost ${lua(o.domain)}
${vhostSsl}`;
}

/** Writes the config, hands the scenario dir to the prosody user, starts Prosody in the namespace. */
export function startProsody(
  ns: string,
  o: ProsodyOptions,
  dir: string,
): { proc: SpawnedProcess; logFile: string } {
  const user = serviceUser('prosody');
  mkdirSync(join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'certs'), { recursive: true });
  const cfg = join(dir, 'prosody.cfg.lua');
  writeFileSync(cfg, prosodyConfig(o, dir));
  for (const p of [dir, join(dir, 'data'), join(dir, 'certs'), cfg]) chownSync(p, user.uid, user.gid);
  if (o.cert) {
    chownSync(o.cert.keyFile, user.uid, user.gid);
    chmodSync(o.cert.keyFile, 0o600);
  }
  const logFile = join(dir, 'prosody.log');
  writeFileSync(logFile, '');
  chownSync(logFile, user.uid, user.gid);
  const proc = spawnInNamespace(
    ns,
    [
      'setpriv',
      `--reuid=${user.uid}`,
      `--regid=${user.gid}`,
      '--init-groups',
      'prosody',
      '-F',
      '--config',
      cfg,
    ],
    join(dir, 'prosody.stdout.log'),
    { ...process.env, HOME: dir },
  );
  return { proc, logFile };
}
