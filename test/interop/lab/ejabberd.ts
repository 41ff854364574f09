/**
 * ejabberd 23.01 for the lab: its own config dir, spool and logs in the lab's temp dir, run in
 * the foreground through Debian's ejabberdctl (which switches to the `ejabberd` user). Erlang
 * distribution stays inside the namespace on 127.0.0.1 without epmd (ERL_DIST_PORT), and
 * Erlang's own resolver is pointed at the lab DNS through inetrc, because it does not read
 * resolv.conf the way libc does. s2s: STARTTLS required (RFC 6120 §5), dialback via
 * mod_s2s_dialback (XEP-0220), peers' certificates checked against the lab root CA. With
 * `verifyPeers`, mod_s2s_dialback gets `access: none`: ejabberd 23.01 then verifies the
 * certificate of every server it connects to (its s2s_out_tls_verify hook answers true) and
 * drops a connection whose certificate fails, before any authentication, so it cannot fall back
 * to dialback there; it still answers dialback requests, which is how a test makes it connect out.
 */
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LeafCert } from './ca.js';
import { type SpawnedProcess, spawnInNamespace } from './netns.js';
import { serviceUser } from './users.js';

export interface EjabberdOptions {
  domain: string;
  address: string;
  port: number;
  tls: 'required' | 'optional' | 'none';
  dialback: boolean;
  /** Verify the certificate of every server ejabberd connects to (mod_s2s_dialback `access: none`). */
  verifyPeers?: boolean;
  cert?: LeafCert;
  caFile: string;
  dnsIp: string;
}

/**
 * Node name and Erlang distribution port (on 127.0.0.1 inside the namespace, no epmd needed),
 * one pair per instance so that several ejabberds share a lab: both follow the last octet of the
 * s2s address. Erlang needs `localhost` to resolve, which the namespace's hosts file provides.
 */
function erlangNode(address: string): { node: string; distPort: number } {
  const octet = Number(address.split('.').pop());
  return { node: `ejabberd${octet}@localhost`, distPort: 4300 + octet };
}

function yamlString(s: string): string {
  return JSON.stringify(s);
}

export function ejabberdConfig(o: EjabberdOptions, dir: string): string {
  const starttls = o.tls === 'none' ? 'false' : o.tls;
  const modules = [
    'mod_disco: {}',
    'mod_ping: {}',
    ...(o.dialback ? [`mod_s2s_dialback: {${o.verifyPeers ? 'access: none' : ''}}`] : []),
  ];
  return `# xfed interop lab: ejabberd for ${o.domain} (generated)
hosts:
  - ${yamlString(o.domain)}
loglevel: debug
log_rotate_count: 0
${o.cert ? `certfiles:\n  - ${yamlString(o.cert.bundleFile)}\n` : ''}ca_file: ${yamlString(o.caFile)}
s2s_use_starttls: ${starttls}
s2s_dns_timeout: 2
s2s_dns_retries: 1
# Never reach out for certificates: the lab has no Internet.
acme:
  auto: false
listen:
  -
    port: ${o.port}
    ip: ${yamlString(o.address)}
    module: ejabberd_s2s_in
    max_stanza_size: 524288
modules:
${modules.map((m) => `  ${m}`).join('\n')}
# dir is only for the reader: the spool is set by ejabberdctl --spool (${dir})
`;
}

function ctlConfig(address: string): string {
  const { node, distPort } = erlangNode(address);
  // ERL_OPTIONS is word-split by ejabberdctl: no spaces inside an argument.
  return `# xfed interop lab: ejabberdctl settings (generated)
ERLANG_NODE=${node}
ERL_DIST_PORT=${distPort}
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 -kernel inet_dist_use_interface {127,0,0,1} -setcookie xfedlab"
EJABBERD_BYPASS_WARNINGS=true
`;
}

/** Erlang resolver config: hosts file entries, then the lab DNS only (erts inet_cfg). */
function inetrc(dnsIp: string): string {
  return `{lookup, ["file", "dns"]}.
{host, {127,0,0,1}, ["localhost"]}.
{nameserver, {${dnsIp.split('.').join(',')}}, 53}.
{timeout, 1000}.
{retry, 2}.
`;
}

export function startEjabberd(
  ns: string,
  o: EjabberdOptions,
  dir: string,
): { proc: SpawnedProcess; logFile: string; distListener: string } {
  const user = serviceUser('ejabberd');
  const cfgDir = join(dir, 'etc');
  const spool = join(dir, 'spool');
  const logs = join(dir, 'logs');
  for (const d of [cfgDir, spool, logs]) mkdirSync(d, { recursive: true });
  writeFileSync(join(cfgDir, 'ejabberd.yml'), ejabberdConfig(o, dir));
  writeFileSync(join(cfgDir, 'ejabberdctl.cfg'), ctlConfig(o.address));
  writeFileSync(join(cfgDir, 'inetrc'), inetrc(o.dnsIp));
  for (const p of [dir, cfgDir, spool, logs]) chownSync(p, user.uid, user.gid);
  if (o.cert) {
    chownSync(o.cert.bundleFile, user.uid, user.gid);
    chmodSync(o.cert.bundleFile, 0o600);
  }
  const proc = spawnInNamespace(
    ns,
    [
      'ejabberdctl',
      '--config-dir',
      cfgDir,
      '--ctl-config',
      join(cfgDir, 'ejabberdctl.cfg'),
      '--config',
      join(cfgDir, 'ejabberd.yml'),
      '--spool',
      spool,
      '--logs',
      logs,
      '--node',
      erlangNode(o.address).node,
      'foreground',
    ],
    join(dir, 'ejabberd.stdout.log'),
  );
  return {
    proc,
    logFile: join(logs, 'ejabberd.log'),
    distListener: `127.0.0.1:${erlangNode(o.address).distPort}`,
  };
}
