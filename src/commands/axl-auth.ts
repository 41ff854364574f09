/** xfed axl-auth: tests the AXL credentials and path Expressway-C uses toward Unified CM / IM and Presence. */
import * as Flags from '@oclif/core/flags';
import { credentialFlags, credentialHint, readCredentials } from '../cli/axl-credentials.js';
import { XfedCommand } from '../cli/base-command.js';
import { loadCaFiles } from '../cli/ca-files.js';
import { UsageError } from '../cli/errors.js';
import { caSource, shown, XFED_CA_HELP } from '../cli/file-input.js';
import { hostPortFlag, portFlag } from '../cli/flags.js';
import type { AxlFacts } from '../facts/axl.js';
import { axlRules } from '../judge/rules/axl.js';
import type { Pipeline } from '../pipeline/run.js';
import { isAxlVersion } from '../protocol/axl/versions.js';

const usage = (m: string): never => {
  throw new UsageError(m);
};
const versionFlag = Flags.custom<string>({
  parse: async (s) =>
    isAxlVersion(s)
      ? s
      : usage(`--axl-version "${shown(s)}" is not a version; expected major.minor such as 14.0 or 12.5`),
});

export default class AxlAuth extends XfedCommand {
  // Also reachable as `xfed cisco axl-auth`, next to `xfed cisco services`; `xfed axl-auth` stays.
  static override aliases = ['cisco:axl-auth'];
  static override summary =
    'Test the AXL credentials Expressway-C uses for IM and Presence (and read xmpps2snodes).';
  static override examples = [
    'XFED_AXL_PASSWORD=… <%= config.bin %> axl-auth --host imp.example.com --user expressway-axl',
    'printf %s "$PW" | <%= config.bin %> axl-auth --host imp.example.com --user expressway-axl --password-stdin --query-s2s --ca tomcat-ca.pem',
  ];
  static override flags = {
    host: hostPortFlag({ description: 'Unified CM or IM and Presence (database publisher) host name or IP' }),
    port: portFlag({ description: 'HTTPS port of the AXL service [default: 8443]' }),
    ...credentialFlags('AXL application user'),
    'axl-version': versionFlag({
      description: 'AXL schema version such as 14.0 [default: negotiate, starting at 15.0]',
    }),
    ca: Flags.string({
      multiple: true,
      // One value per --ca: a greedy flag would swallow a stray argument (a mistyped password)
      // and echo it in its "cannot read the file" error.
      multipleNonGreedy: true,
      description: `PEM file with extra CA certificates to trust (repeatable); ${XFED_CA_HELP}`,
    }),
    insecure: Flags.boolean({ description: 'skip certificate checks (reported as a warning finding)' }),
    'query-s2s': Flags.boolean({ description: 'also read the IM and Presence xmpps2snodes table' }),
  };

  // A password typed by mistake (`--password-stdin hunter2`) must not be echoed by oclif.
  static override secretHint = credentialHint('axl-auth');

  async run(): Promise<void> {
    const { flags } = await this.parse(AxlAuth);
    const host =
      flags.host ??
      usage('missing --host: the Unified CM or IM and Presence publisher, e.g. imp.example.com');
    if (host.port && flags.port && host.port !== flags.port)
      usage(`--host port ${host.port} and --port ${flags.port} disagree`);
    const ca = caSource(flags.ca);
    const caFiles = ca.paths;
    const caPems = await loadCaFiles(ca, flags.timeout ?? 10_000);
    const { user, password } = await readCredentials(flags, host.host);
    // Lazy: the AXL probe (node:tls, saxes, undici) loads only when this command runs.
    const { gatherAxl, axlRunOptions, describeAxl } = await import('../gather/axl.js');
    const opts = {
      host: host.host,
      port: flags.port ?? host.port ?? 8443,
      user,
      password,
      caPems,
      caFiles,
      requestedVersion: flags['axl-version'],
      insecure: flags.insecure === true,
      queryS2s: flags['query-s2s'],
    };
    const runOpts = axlRunOptions(opts, { timeoutMs: flags.timeout ?? 10_000, transcript: flags.transcript });
    const pipeline: Pipeline<AxlFacts> = {
      command: 'axl-auth',
      gather: (_h, ctx) => gatherAxl(opts, ctx),
      rules: axlRules,
    };
    await this.emitReport(flags, host.host, pipeline, runOpts, describeAxl);
  }
}
