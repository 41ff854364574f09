/**
 * resolv.conf and hosts kept per process (SystemDnsFiles / WatchedFile): read once, trusted for
 * the TTL without a syscall, then checked with one stat and re-read only when it changed. A
 * long-running `xfed serve` must pick up an edited or replaced file; an unchanged one must not
 * be read again. The clock is the test's own, so nothing here waits.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DnsView } from '../../../../src/gather/srv.js';
import {
  HOSTS_FILE,
  parseHosts,
  RESOLV_CONF,
  SYSTEM_FILES_TTL_MS,
  SystemDnsFiles,
  WatchedFile,
} from '../../../../src/protocol/dns/system-files.js';

const dir = mkdtempSync(join(tmpdir(), 'xfed-system-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A resolv.conf and hosts file of their own, with a clock the test moves. */
function setup(resolv: string, hosts = '127.0.0.1 localhost\n') {
  const base = join(dir, String(n++));
  const resolvConf = `${base}.resolv.conf`;
  const hostsFile = `${base}.hosts`;
  writeFileSync(resolvConf, resolv);
  writeFileSync(hostsFile, hosts);
  const clock = { ms: 1_000_000 };
  const files = new SystemDnsFiles({
    resolvConf,
    hosts: hostsFile,
    ttlMs: 1000,
    now: () => clock.ms,
    nodeServers: () => [],
  });
  return { files, resolvConf, hostsFile, clock };
}

describe('system resolver files kept per process', () => {
  it('an unchanged resolv.conf is read once: no syscall within the TTL, one stat after it, no re-read', async () => {
    const { files, clock } = setup('nameserver 192.0.2.53\n');
    for (let i = 0; i < 50; i++)
      assert.deepEqual(await files.resolvers(), [{ host: '192.0.2.53', port: 53 }]);
    assert.equal(files.resolvConf.reads, 1);
    assert.equal(files.resolvConf.stats, 1);
    clock.ms += 1000;
    for (let i = 0; i < 50; i++)
      assert.deepEqual(await files.resolvers(), [{ host: '192.0.2.53', port: 53 }]);
    assert.equal(files.resolvConf.reads, 1, 'an unchanged file was read again');
    assert.equal(files.resolvConf.stats, 2);
  });

  it('a changed resolv.conf is picked up after the TTL (a long-running serve follows edits)', async () => {
    const { files, resolvConf, clock } = setup('nameserver 192.0.2.53\n');
    assert.deepEqual(await files.resolvers(), [{ host: '192.0.2.53', port: 53 }]);
    writeFileSync(resolvConf, 'nameserver 198.51.100.7\nnameserver 2001:db8::53\n');
    // Within the TTL the kept list is still used (no syscall at all).
    assert.deepEqual(await files.resolvers(), [{ host: '192.0.2.53', port: 53 }]);
    clock.ms += 1000;
    assert.deepEqual(await files.resolvers(), [
      { host: '198.51.100.7', port: 53 },
      { host: '2001:db8::53', port: 53 },
    ]);
    assert.equal(files.resolvConf.reads, 2);
  });

  it('notices an edit that keeps the size, and a file replaced by rename (as resolvconf and NetworkManager do)', async () => {
    const { files, resolvConf, clock } = setup('nameserver 192.0.2.53\n');
    assert.deepEqual(await files.resolvers(), [{ host: '192.0.2.53', port: 53 }]);
    // Same length, and the old mtime put back: the ctime still changes.
    writeFileSync(resolvConf, 'nameserver 192.0.2.54\n');
    utimesSync(resolvConf, new Date(0), new Date(0));
    clock.ms += 1000;
    assert.deepEqual(await files.resolvers(), [{ host: '192.0.2.54', port: 53 }]);
    const next = `${resolvConf}.new`;
    writeFileSync(next, 'nameserver 192.0.2.55\n');
    renameSync(next, resolvConf);
    clock.ms += 1000;
    assert.deepEqual(await files.resolvers(), [{ host: '192.0.2.55', port: 53 }]);
    assert.equal(files.resolvConf.reads, 3);
  });

  it('a resolv.conf that disappears, or was never there, gives the fallback, and its return is picked up', async () => {
    const { files, resolvConf, clock } = setup('nameserver 192.0.2.53\n');
    assert.deepEqual(await files.resolvers(), [{ host: '192.0.2.53', port: 53 }]);
    rmSync(resolvConf);
    clock.ms += 1000;
    assert.deepEqual(await files.resolvers(), [{ host: '127.0.0.1', port: 53 }]);
    clock.ms += 1000;
    assert.deepEqual(await files.resolvers(), [{ host: '127.0.0.1', port: 53 }]);
    assert.equal(files.resolvConf.reads, 1, 'an absent file is not read');
    writeFileSync(resolvConf, 'nameserver 192.0.2.99\n');
    clock.ms += 1000;
    assert.deepEqual(await files.resolvers(), [{ host: '192.0.2.99', port: 53 }]);
  });

  it('hosts: names are matched case-insensitively without a trailing dot, addresses in file order; edits are picked up', async () => {
    const { files, hostsFile, clock } = setup(
      '',
      '127.0.0.1 localhost\n192.0.2.10 XMPP.example.org. xmpp\n2001:db8::10 xmpp.example.org # v6\n',
    );
    assert.deepEqual(await files.hostsAddresses('xmpp.example.org'), ['192.0.2.10', '2001:db8::10']);
    assert.deepEqual(await files.hostsAddresses('Xmpp.Example.Org.'), ['192.0.2.10', '2001:db8::10']);
    assert.deepEqual(await files.hostsAddresses('other.example.org'), []);
    assert.equal(files.hosts.reads, 1);
    writeFileSync(hostsFile, '192.0.2.20 xmpp.example.org\n');
    clock.ms += 1000;
    assert.deepEqual(await files.hostsAddresses('xmpp.example.org'), ['192.0.2.20']);
    assert.equal(files.hosts.reads, 2);
  });

  it('callers get copies: changing a returned list does not change the kept one', async () => {
    const { files } = setup('nameserver 192.0.2.53\n', '192.0.2.10 a.example\n');
    (await files.resolvers())[0]!.port = 5353;
    (await files.hostsAddresses('a.example')).push('192.0.2.66');
    assert.deepEqual(await files.resolvers(), [{ host: '192.0.2.53', port: 53 }]);
    assert.deepEqual(await files.hostsAddresses('a.example'), ['192.0.2.10']);
  });

  it('concurrent lookups share one read', async () => {
    const { files } = setup('nameserver 192.0.2.53\n');
    await Promise.all(Array.from({ length: 20 }, () => files.resolvers()));
    assert.equal(files.resolvConf.reads, 1);
    assert.equal(files.resolvConf.stats, 1);
  });

  it('a FIFO is treated as absent instead of blocking, and a huge file is read only up to the cap', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const files = new SystemDnsFiles({ resolvConf: fifo, hosts: fifo, nodeServers: () => [] });
    assert.deepEqual(await files.resolvers(), [{ host: '127.0.0.1', port: 53 }]);
    assert.deepEqual(await files.hostsAddresses('localhost'), []);
    const big = join(dir, 'big');
    writeFileSync(big, 'nameserver 192.0.2.1\n');
    truncateSync(big, 4 * 1024 * 1024);
    const seen: (string | undefined)[] = [];
    const watched = new WatchedFile(big, (t) => seen.push(t), { maxBytes: 64 * 1024 });
    await watched.get();
    assert.equal(seen[0]?.length, 64 * 1024);
  });

  it('parseHosts skips comments, blank lines and lines without an IP address', () => {
    const m = parseHosts('# c\n\nnot-an-ip host.a\n192.0.2.1 host.a host.b\n192.0.2.1 host.a\n');
    assert.deepEqual(m.get('host.a'), ['192.0.2.1']);
    assert.deepEqual(m.get('host.b'), ['192.0.2.1']);
    assert.equal(m.size, 2);
  });

  it('DnsView holds the one process-wide copy of the system files, with the short TTL', () => {
    assert.ok(DnsView.system instanceof SystemDnsFiles);
    assert.equal(DnsView.system.resolvConf.path, RESOLV_CONF);
    assert.equal(DnsView.system.hosts.path, HOSTS_FILE);
    assert.ok(SYSTEM_FILES_TTL_MS <= 5000);
  });
});
