import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../../src/cli/errors.js';
import {
  parseDomain,
  parseDurationMs,
  parseHostPort,
  parsePort,
  parseResolver,
} from '../../../src/cli/validate.js';

describe('input validation', () => {
  it('accepts domains and converts IDNs to A-labels', () => {
    assert.equal(parseDomain('Example.ORG.').ascii, 'example.org');
    const idn = parseDomain('bücher.example');
    assert.equal(idn.ascii, 'xn--bcher-kva.example');
    assert.equal(idn.idn, true);
  });

  for (const bad of [
    '',
    ' ',
    'a..b',
    '.a',
    'has space.org',
    '127.0.0.1',
    '::1',
    `${'a'.repeat(64)}.org`,
    `${'a.'.repeat(127)}org`,
    '-a.org',
    'a_b!.org',
  ]) {
    it(`rejects domain ${JSON.stringify(bad.slice(0, 30))}`, () => {
      assert.throws(() => parseDomain(bad), UsageError);
    });
  }

  it('validates ports 1-65535', () => {
    assert.equal(parsePort('5269'), 5269);
    for (const bad of ['0', '65536', '-1', 'x', '']) assert.throws(() => parsePort(bad), UsageError);
  });

  it('parses host:port forms', () => {
    assert.deepEqual(parseHostPort('xmpp.example.org:5270'), {
      host: 'xmpp.example.org',
      port: 5270,
      isIp: false,
    });
    assert.deepEqual(parseHostPort('[::1]:5269'), { host: '::1', port: 5269, isIp: true });
    assert.deepEqual(parseHostPort('127.0.0.1'), { host: '127.0.0.1', port: undefined, isIp: true });
    assert.throws(() => parseHostPort('host:0'), UsageError);
  });

  it('resolvers must be IP addresses', () => {
    assert.deepEqual(parseResolver('127.0.0.53'), { host: '127.0.0.53', port: 53 });
    assert.deepEqual(parseResolver('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
    assert.throws(() => parseResolver('ns.example.org'), UsageError);
  });

  it('parses durations', () => {
    assert.equal(parseDurationMs('5000'), 5000);
    assert.equal(parseDurationMs('2s'), 2000);
    assert.throws(() => parseDurationMs('0'), UsageError);
    assert.throws(() => parseDurationMs('soon'), UsageError);
  });
});
