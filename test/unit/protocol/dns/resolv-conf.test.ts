/** resolv.conf parsing: nameserver order, IPv6, the glibc limit of three, the 127.0.0.1 default. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  formatResolver,
  parseResolvConf,
  systemResolvers,
} from '../../../../src/protocol/dns/resolv-conf.js';

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

  it('falls back to 127.0.0.1 when the file is missing or lists no nameserver', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xfed-resolv-'));
    const empty = join(dir, 'resolv.conf');
    writeFileSync(empty, 'search example.org\n');
    assert.deepEqual(await systemResolvers(empty), [{ host: '127.0.0.1', port: 53 }]);
    assert.deepEqual(await systemResolvers(join(dir, 'absent')), [{ host: '127.0.0.1', port: 53 }]);
  });

  it('formats IPv6 resolvers with brackets so the port stays unambiguous', () => {
    assert.equal(formatResolver({ host: '::1', port: 5353 }), '[::1]:5353');
    assert.equal(formatResolver({ host: '127.0.0.1', port: 53 }), '127.0.0.1:53');
  });
});
