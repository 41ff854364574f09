/**
 * Start-up regression guard (issue 14, docs/performance.md): each command loads only what its
 * path uses. bench/lib/list-modules.mjs lists every module a run of the built CLI loaded (ESM
 * resolutions, require.cache, Node built-ins, and the source modules inside each loaded file
 * of the bundle, as `src/…` and `node_modules/…` paths); these tests fail when a command starts loading
 * another command's code, an unchosen renderer, the XML/TLS code before a probe needs it, a
 * colour or spinner library for machine output, or prom-client outside `serve`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type FakeDnsServer, startFakeDns } from '../fakes/fake-dns-server.js';
import { modulesLoadedByImport, runCli, runCliListingModules } from '../helpers/cli.js';

/** Machine output must never pay for these, whatever the command. */
const DIST = fileURLToPath(new URL('../../dist', import.meta.url));

const NEVER_FOR_MACHINE_OUTPUT = [
  'node_modules/chalk/',
  'node_modules/ora/',
  'node_modules/prom-client/',
  'node_modules/undici/',
  // oclif's index (semver, every ux helper): xfed imports oclif by subpath.
  '@oclif/core/lib/index.js',
  // oclif requires these at the top of its modules; the bundle makes them lazy
  // (scripts/lib/oclif-patches.mjs) and no command path uses them: command discovery (the
  // manifest is used), templates (help only), config files, spinners, plugin globs.
  'node_modules/tinyglobby/',
  'node_modules/ejs/',
  'node_modules/minimatch/',
  'node_modules/lilconfig/',
  'node_modules/cli-spinners/',
  'src/report/text.ts',
  'src/report/junit.ts',
  'src/report/markdown.ts',
  'src/report/github.ts',
  'src/report/nagios.ts',
  'src/report/prometheus.ts',
  'src/serve/',
];

/** The XML, TLS and certificate code a DNS-only command never needs. */
const PROBE_CODE = [
  'node_modules/saxes/',
  'node:tls',
  'src/gather/tls.ts',
  'src/protocol/xmpp/',
  'src/protocol/tls/certificate.ts',
  'src/protocol/tls/trust.ts',
];

describe('start-up: what each command loads', () => {
  let dns: FakeDnsServer;
  let resolver: string;

  before(async () => {
    dns = await startFakeDns({
      zone: {
        '_xmpp-server._tcp.good.test': [
          { type: 'SRV', data: { priority: 5, weight: 0, port: 9, target: 'xmpp.good.test' } },
        ],
        'xmpp.good.test': [{ type: 'A', data: '127.0.0.1' }],
      },
    });
    resolver = `127.0.0.1:${dns.port}`;
  });
  after(async () => {
    await dns.close();
  });

  /** Runs the CLI with the module lister; returns the exit code and the loaded modules. */
  const loaded = (args: string[]) => runCliListingModules(args);
  const has = (mods: string[], m: string) => mods.some((x) => x.includes(m) || x === m);
  function assertNone(mods: string[], forbidden: string[], what: string): void {
    const found = forbidden.filter((m) => has(mods, m));
    assert.deepEqual(found, [], `${what} loaded what it does not use`);
  }

  it('--version loads neither oclif nor any of xfed', async () => {
    const r = await loaded(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(has(r.modules, 'bin/run.js'), 'the lister must see the entry point');
    assertNone(r.modules, ['node_modules/', 'dist/', 'src/'], '--version');
  });

  it('explain --json loads the catalog and no probe, DNS or renderer code', async () => {
    const r = await loaded(['explain', 'cert.validity.expired', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(has(r.modules, 'src/judge/catalog/index.ts'));
    assertNone(
      r.modules,
      [
        // report/explain.js formats entries with the text renderer's renderFinding: allowed here.
        ...NEVER_FOR_MACHINE_OUTPUT.filter((m) => m !== 'src/report/text.ts'),
        ...PROBE_CODE,
        'node_modules/dns-packet/',
        'src/gather/',
        'src/protocol/dns/',
      ],
      'explain',
    );
  });

  it('check srv --json loads DNS and the JSON renderer only: no XML, TLS, colour, spinner, other renderers', async () => {
    const r = await loaded(['check', 'srv', 'good.test', '--resolver', resolver, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(has(r.modules, 'node_modules/dns-packet/'), 'the lister must see dependencies');
    assert.ok(has(r.modules, 'src/report/json.ts'));
    assertNone(
      r.modules,
      [
        ...NEVER_FOR_MACHINE_OUTPUT,
        ...PROBE_CODE,
        'src/commands/probe/',
        'src/commands/dialback/',
        // Other commands' rules and doctor's verdicts (each pipeline has its own module).
        'src/judge/rules/tls.ts',
        'src/judge/rules/cert.ts',
        'src/judge/rules/dialback.ts',
        'src/judge/doctor.ts',
      ],
      'check srv --json',
    );
    // Everything it runs comes from the bundle: no file of node_modules resolved and compiled
    // on its own (dist/ is CommonJS: require.cache lists absolute paths; ES modules are URLs).
    const outside = r.modules.filter(
      (m) =>
        (m.startsWith('/') && !m.startsWith(`${DIST}/`)) ||
        (m.startsWith('file:') && !m.endsWith('/bin/run.js')),
    );
    assert.deepEqual(outside, [], 'check srv --json loaded files from outside the bundle');
  });

  it("DEBUG=oclif* still gives oclif's own debug output (xfed's silent logger is only for DEBUG unset)", async () => {
    const quiet = await runCli(['check', 'srv', 'good.test', '--resolver', resolver, '--json'], {
      env: { DEBUG: '' },
    });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    const r = await runCli(['check', 'srv', 'good.test', '--resolver', resolver, '--json'], {
      env: { DEBUG: 'oclif:main' },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /oclif:main process\.execPath: /);
  });

  it('check srv --format junit loads the JUnit renderer and not the JSON one', async () => {
    const r = await loaded(['check', 'srv', 'good.test', '--resolver', resolver, '--format', 'junit']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(has(r.modules, 'src/report/junit.ts'));
    assertNone(
      r.modules,
      ['src/report/json.ts', 'src/report/markdown.ts', ...PROBE_CODE],
      'check srv --format junit',
    );
  });

  it('probe tls --json loads the probe code, but no colour, spinner, prom-client or other renderers', async () => {
    const r = await loaded([
      'probe',
      'tls',
      'good.test',
      '--resolver',
      resolver,
      '--json',
      '--timeout',
      '2000',
    ]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.ok(has(r.modules, 'src/gather/tls.ts'), 'probe tls must load its gatherer');
    assertNone(r.modules, [...NEVER_FOR_MACHINE_OUTPUT, 'src/commands/check/'], 'probe tls --json');
  });

  // oclif imports a command's module for help and command lists, not only to run it: the
  // Cisco commands keep their HTTPS/SOAP code behind the run.
  for (const [command, source, heavy] of [
    ['dist/commands/axl-auth.js', 'src/commands/axl-auth.ts', 'src/gather/axl.ts'],
    ['dist/commands/cisco/services.js', 'src/commands/cisco/services.ts', 'src/gather/cisco-services.ts'],
  ] as const) {
    it(`importing ${command} loads neither its probe, saxes nor undici`, async () => {
      const r = await modulesLoadedByImport(command);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.modules.includes(source), 'the lister must see the command module');
      assertNone(
        r.modules,
        [heavy, 'src/protocol/axl/http.ts', 'node_modules/saxes/', 'node_modules/undici/'],
        `importing ${command}`,
      );
    });
  }
});
