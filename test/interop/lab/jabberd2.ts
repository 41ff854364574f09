/**
 * jabberd2 2.7 for the lab (Debian `jabberd2`), the open relative of Cisco XCP: three processes
 * per scenario, each with its own XML config in the scenario dir — `jabberd2-router` (the
 * component bus, on the scenario's 127.0.0.x:5347 with its own users file), `jabberd2-sm`
 * (the session manager that serves the domain, sqlite storage made from Debian's schema) and
 * `jabberd2-s2s` (server-to-server on the scenario's address and port, STARTTLS with the lab
 * certificate, a fixed dialback secret). No c2s: the lab only federates. A small bash wrapper,
 * running as the `jabber` user, starts the router, waits for its port, then starts sm and s2s,
 * and exits as soon as one of them does, so the lab's start-up check sees a crash at once.
 *
 * Facts the configs depend on (docs/interop-lab.md): `<require_tls>` is read as a number, so
 * the empty element `<require_tls/>` of Debian's sample means off — we write 1 or 0;
 * `verify-mode` 0 (the default) checks no peer certificate; its resolver (udns) reads
 * /etc/resolv.conf, which the namespace replaces with the lab DNS; a refused peer stays on the
 * bad-host list for `bad-host-timeout` seconds (an hour by default), 1 here.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { LeafCert } from './ca.js';
import { type SpawnedProcess, spawnInNamespace } from './netns.js';
import { serviceUser } from './users.js';

export interface Jabberd2Options {
  domain: string;
  address: string;
  port: number;
  /** required: `<require_tls>1</require_tls>` (never advertised as required on the wire); optional: 0. */
  tls: 'required' | 'optional' | 'none';
  cert?: LeafCert;
  caFile: string;
  /** The dialback secret (`<local><secret>`); a fixed value so tests can recompute keys. */
  secret: string;
  /**
   * A two-node s2s "cluster" with different secrets (the fault of issue 16): router, sm and the
   * default-route s2s (which carries all outgoing traffic) run on `defaultNode.address` with
   * `defaultNode.secret`; the s2s on `address` (where DNS points) is a second, `<non-default/>`
   * instance with `secret`. Each alone is healthy; together the keys one node sends are
   * answered invalid by the other.
   */
  defaultNode?: { address: string; secret: string };
}

/** The router's component port, on the scenario's own address. */
export const JABBERD2_ROUTER_PORT = 5347;
/** Debian's sqlite schema for sm storage. */
const SQLITE_SCHEMA = '/usr/share/doc/jabberd2/db-setup.sqlite.gz';
const MODULES = '/usr/lib/x86_64-linux-gnu/jabberd2';
/** Component secret between router, sm and s2s (inside the namespace only). */
const COMPONENT_SECRET = 'xfed-lab-component';

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');

/** Where router and sm run: the default node of a split setup, else the scenario's address. */
const routerIp = (o: Jabberd2Options) => o.defaultNode?.address ?? o.address;

function routerSection(o: Jabberd2Options, nonDefault = false): string {
  return `  <router>
    <ip>${routerIp(o)}</ip>
    <port>${JABBERD2_ROUTER_PORT}</port>
    <user>jabberd</user>
    <pass>${COMPONENT_SECRET}</pass>
    <retry><init>10</init><lost>3</lost><sleep>1</sleep></retry>
${nonDefault ? '    <non-default/>\n' : ''}  </router>`;
}

function logSection(dir: string, name: string): string {
  return `  <log type='file'>
    <ident>jabberd/${name}</ident>
    <file>${xml(join(dir, `${name}.log`))}</file>
  </log>`;
}

export function routerConfig(o: Jabberd2Options, dir: string): string {
  return `<!-- xfed interop lab: jabberd2 router for ${xml(o.domain)} (generated) -->
<router>
  <id>router</id>
  <pidfile>${xml(join(dir, 'router.pid'))}</pidfile>
${logSection(dir, 'router')}
  <local>
    <ip>${routerIp(o)}</ip>
    <port>${JABBERD2_ROUTER_PORT}</port>
    <users>${xml(join(dir, 'router-users.xml'))}</users>
    <secret>${COMPONENT_SECRET}</secret>
  </local>
  <check><interval>60</interval><keepalive>0</keepalive></check>
  <io>
    <max_fds>256</max_fds>
    <limits><bytes>0</bytes><connects>0</connects></limits>
    <access><order>allow,deny</order></access>
  </io>
  <aliases/>
  <aci><acl type='all'><user>jabberd</user></acl></aci>
</router>
`;
}

function routerUsers(): string {
  return `<users><user><name>jabberd</name><secret>${COMPONENT_SECRET}</secret></user></users>\n`;
}

export function smConfig(o: Jabberd2Options, dir: string): string {
  return `<!-- xfed interop lab: jabberd2 sm for ${xml(o.domain)} (generated) -->
<sm>
  <id>${xml(o.domain)}</id>
  <pidfile>${xml(join(dir, 'sm.pid'))}</pidfile>
${routerSection(o)}
${logSection(dir, 'sm')}
  <local><id>${xml(o.domain)}</id></local>
  <storage>
    <path>${MODULES}</path>
    <driver>sqlite</driver>
    <sqlite><dbname>${xml(join(dir, 'sm.db'))}</dbname><busy-timeout>2000</busy-timeout></sqlite>
  </storage>
  <modules>
    <path>${MODULES}</path>
    <chain id='in-router'><module>session</module><module>validate</module></chain>
    <chain id='pkt-sm'><module>iq-ping</module><module>iq-version</module><module>disco</module></chain>
    <chain id='pkt-user'><module>disco</module><module>deliver</module></chain>
    <chain id='pkt-router'><module>session</module><module>disco</module></chain>
  </modules>
  <discovery><identity><category>server</category><type>im</type><name>xfed lab jabberd2</name></identity></discovery>
</sm>
`;
}

/** One s2s instance: `name` s2s (the only or default one) or s2s-2 (non-default, split setups). */
export function s2sConfig(
  o: Jabberd2Options,
  dir: string,
  node: { name: string; address: string; secret: string; nonDefault: boolean } = {
    name: 's2s',
    address: o.address,
    secret: o.secret,
    nonDefault: false,
  },
): string {
  const tls = o.tls !== 'none' ? o.cert : undefined;
  return `<!-- xfed interop lab: jabberd2 ${node.name} for ${xml(o.domain)} (generated) -->
<s2s>
  <id>${node.name}</id>
  <pidfile>${xml(join(dir, `${node.name}.pid`))}</pidfile>
${routerSection(o, node.nonDefault)}
${logSection(dir, node.name)}
  <local>
    <ip>${node.address}</ip>
    <port>${o.port}</port>
    <secret>${xml(node.secret)}</secret>
${tls ? `    <pemfile>${xml(tls.bundleFile)}</pemfile>\n    <cachain>${xml(o.caFile)}</cachain>\n` : ''}  </local>
  <io><max_fds>256</max_fds><limits><stanzasize>65535</stanzasize></limits></io>
  <check>
    <interval>5</interval>
    <queue>15</queue>
    <retry>15</retry>
    <idle>86400</idle>
    <keepalive>0</keepalive>
    <dnscache>1</dnscache>
  </check>
  <lookup>
    <srv>xmpp-server</srv>
    <min-ttl>1</min-ttl>
    <max-ttl>1</max-ttl>
    <bad-host-timeout>1</bad-host-timeout>
  </lookup>
  <security>
    <require_tls>${o.tls === 'required' ? 1 : 0}</require_tls>
  </security>
</s2s>
`;
}

/**
 * Writes the configs and the sqlite database, hands the scenario dir to the jabber user and
 * starts router, then sm and s2s, inside the namespace.
 */
export function startJabberd2(
  ns: string,
  o: Jabberd2Options,
  dir: string,
): { proc: SpawnedProcess; logFile: string; logFiles: string[] } {
  const user = serviceUser('jabber');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'router.xml'), routerConfig(o, dir));
  writeFileSync(join(dir, 'router-users.xml'), routerUsers());
  writeFileSync(join(dir, 'sm.xml'), smConfig(o, dir));
  const s2sNames = ['s2s'];
  if (o.defaultNode) {
    // s2s: the default route on the other node; s2s-2: where DNS points, non-default.
    writeFileSync(
      join(dir, 's2s.xml'),
      s2sConfig(o, dir, {
        name: 's2s',
        address: o.defaultNode.address,
        secret: o.defaultNode.secret,
        nonDefault: false,
      }),
    );
    writeFileSync(
      join(dir, 's2s-2.xml'),
      s2sConfig(o, dir, { name: 's2s-2', address: o.address, secret: o.secret, nonDefault: true }),
    );
    s2sNames.push('s2s-2');
  } else {
    writeFileSync(join(dir, 's2s.xml'), s2sConfig(o, dir));
  }
  const db = join(dir, 'sm.db');
  const made = spawnSync('sqlite3', [db], {
    input: gunzipSync(readFileSync(SQLITE_SCHEMA)),
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (made.status !== 0) throw new Error(`interop lab: sqlite3 could not create ${db}: ${made.stderr}`);
  const logFiles = ['router', 'sm', ...s2sNames].map((n) => join(dir, `${n}.log`));
  for (const f of logFiles) writeFileSync(f, '');
  for (const f of [dir, db, ...logFiles]) chownSync(f, user.uid, user.gid);
  if (o.cert) {
    chownSync(o.cert.bundleFile, user.uid, user.gid);
    chmodSync(o.cert.bundleFile, 0o600);
  }
  const cfg = (n: string) => join(dir, `${n}.xml`);
  // Router first; sm and s2s once its port answers (they would otherwise sleep between retries).
  // `wait -n`: the wrapper ends when any of the three does, which the lab reports with the logs.
  const script = `
/usr/sbin/jabberd2-router -c '${cfg('router')}' &
for i in $(seq 1 200); do (exec 3<>/dev/tcp/${routerIp(o)}/${JABBERD2_ROUTER_PORT}) 2>/dev/null && break; sleep 0.05; done
/usr/sbin/jabberd2-sm -c '${cfg('sm')}' &
${s2sNames.map((n) => `/usr/sbin/jabberd2-s2s -c '${cfg(n)}' &`).join('\n')}
wait -n
exit 1
`;
  const proc = spawnInNamespace(
    ns,
    ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', 'bash', '-c', script],
    join(dir, 'jabberd2.stdout.log'),
    { ...process.env, HOME: dir },
  );
  return { proc, logFile: join(dir, `${s2sNames.at(-1)}.log`), logFiles };
}
