/** resolv.conf parsing: nameserver order, IPv6, the glibc limit of three, the 127.0.0.1 default. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatResolver, parseResolvConf } from '../../../../src/protocol/dns/resolv-conf.js';
import { SystemDnsFiles } from '../../../../src/protocol/dns/system-files.js';

/** The default resolvers from a resolv.conf at `path`, as a fresh process reads them. */
function systemResolvers(path: string, nodeServers: () => string[]) {
  return new SystemDnsFiles({ resolvConf: path, nodeServers }).resolvers();
}

describe('resolv.conf', () => {
  it('reads nameserver lines in order, IPv4 and IPv6, port 53, ignoring comments and other options', () => {
    const text = [
      '# generated',
      'search example.org',
      'nameserver 192.0.2.53   # office',
      'options timeout:2 attempts:3',
      ';nameserver 192.0.2.99',
      'nameserver 2001:db8::53',
      'nameserver not-an-ip',
    ].join('\n');
    assert.deepEqual(parseResolvConf(text), [
      { host: '192.0.2.53', port: 53 },
      { host: '2001:db8::53', port: 53 },
    ]);
  });

  it('uses at most three nameservers, like glibc', () => {
    const text = ['1', '2', '3', '4'].map((n) => `nameserver 192.0.2.${n}`).join('\n');
    assert.equal(parseResolvConf(text).length, 3);
  });

  it('without a usable resolv.conf uses the servers of Node\u2019s resolver (dns.getServers)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xfed-resolv-'));
    const empty = join(dir, 'resolv.conf');
    writeFileSync(empty, 'search example.org\n');
    const windows = () => ['192.0.2.1', '[2001:db8::1]:5353', '198.51.100.2:5300', 'bogus'];
    const expected = [
      { host: '192.0.2.1', port: 53 },
      { host: '2001:db8::1', port: 5353 },
      { host: '198.51.100.2', port: 5300 },
    ];
    assert.deepEqual(await systemResolvers(join(dir, 'absent'), windows), expected);
    assert.deepEqual(await systemResolvers(empty, windows), expected);
    // resolv.conf still wins when it lists servers
    writeFileSync(empty, 'nameserver 203.0.113.9\n');
    assert.deepEqual(await systemResolvers(empty, windows), [{ host: '203.0.113.9', port: 53 }]);
  });

  it('falls back to 127.0.0.1 only when Node\u2019s resolver has no servers either', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xfed-resolv-'));
    assert.deepEqual(await systemResolvers(join(dir, 'absent'), () => []), [{ host: '127.0.0.1', port: 53 }]);
    const broken = () => {
      throw new Error('c-ares unavailable');
    };
    assert.deepEqual(await systemResolvers(join(dir, 'absent'), broken), [{ host: '127.0.0.1', port: 53 }]);
  });

  it('formats IPv6 resolvers with brackets so the port stays unambiguous', () => {
    assert.equal(formatResolver({ host: '::1', port: 5353 }), '[::1]:5353');
    assert.equal(formatResolver({ host: '127.0.0.1', port: 53 }), '127.0.0.1:53');
  });
});
