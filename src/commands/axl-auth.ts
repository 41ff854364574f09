/** xfed axl-auth: tests the AXL credentials and path Expressway-C uses toward Unified CM / IM and Presence. */
import { Flags } from '@oclif/core';
import { XfedCommand } from '../cli/base-command.js';
import { loadCaFiles } from '../cli/ca-files.js';
import { UsageError } from '../cli/errors.js';
import { hostPortFlag, portFlag } from '../cli/flags.js';
import { readSecret } from '../cli/secret.js';
import type { AxlFacts } from '../facts/axl.js';
import { axlRules } from '../judge/rules/axl.js';
import type { Pipeline } from '../pipeline/run.js';
import { isAxlVersion } from '../protocol/axl/versions.js';

const PASSWORD_SOURCES = 'set XFED_AXL_PASSWORD or use --password-stdin';
const NO_PASSWORD_FLAG = `there is no --password flag (argv leaks through ps and shell history); ${PASSWORD_SOURCES}`;
const usage = (m: string): never => {
  throw new UsageError(m);
};
// RFC 7617 §2: a Basic user-id cannot contain ":"; control characters never belong in a user name.
const userFlag = Flags.custom<string>({
  parse: async (s) =>
    /^[^:\x00-\x1f\x7f]{1,128}$/.test(s)
      ? s
      : usage(`--user "${s}" must be 1-128 characters without ":" or control characters`),
});
const versionFlag = Flags.custom<string>({
  parse: async (s) =>
    isAxlVersion(s)
      ? s
      : usage(`--axl-version "${s}" is not a version; expected major.minor such as 14.0 or 12.5`),
});

export default class AxlAuth extends XfedCommand {
  static override summary =
    'Test the AXL credentials Expressway-C uses for IM and Presence (and read xmpps2snodes).';
  static override examples = [
    'XFED_AXL_PASSWORD=… <%= config.bin %> axl-auth --host imp.example.com --user expressway-axl',
    'printf %s "$PW" | <%= config.bin %> axl-auth --host imp.example.com --user expressway-axl --password-stdin --query-s2s --ca tomcat-ca.pem',
  ];
  static override flags = {
    host: hostPortFlag({ description: 'Unified CM or IM and Presence (database publisher) host name or IP' }),
    port: portFlag({ description: 'HTTPS port of the AXL service [default: 8443]' }),
    user: userFlag({
      env: 'XFED_AXL_USER',
      description:
        'AXL application user; the password comes from XFED_AXL_PASSWORD, --password-stdin or a prompt',
    }),
    'password-stdin': Flags.boolean({ description: 'read the password from stdin (one line)' }),
    'axl-version': versionFlag({
      description: 'AXL schema version such as 14.0 [default: negotiate, starting at 15.0]',
    }),
    ca: Flags.string({
      multiple: true,
      description: 'PEM file with extra CA certificates to trust (repeatable)',
    }),
    insecure: Flags.boolean({ description: 'skip certificate checks (reported as a warning finding)' }),
    'query-s2s': Flags.boolean({ description: 'also read the IM and Presence xmpps2snodes table' }),
    // Not a way to pass the password: a guard so `--password=…` is refused without echoing it
    // (an unknown-flag error would print the value to stderr, e.g. into CI logs).
    password: Flags.string({ hidden: true, parse: async () => usage(NO_PASSWORD_FLAG) }),
  };

  // A password typed by mistake (`--password-stdin hunter2`) must not be echoed by oclif.
  static override secretHint = `axl-auth takes flags only; for the password, ${PASSWORD_SOURCES}`;

  async run(): Promise<void> {
    const { flags } = await this.parse(AxlAuth);
    const host =
      flags.host ??
      usage('missing --host: the Unified CM or IM and Presence publisher, e.g. imp.example.com');
    if (host.port && flags.port && host.port !== flags.port)
      usage(`--host port ${host.port} and --port ${flags.port} disagree`);
    const user =
      flags.user ?? usage('missing --user: give the AXL application user with --user or XFED_AXL_USER');
    const caFiles = flags.ca ?? [];
    const caPems = await loadCaFiles(caFiles);
    const password = await readSecret({
      envVar: 'XFED_AXL_PASSWORD',
      stdinFlag: '--password-stdin',
      fromStdin: flags['password-stdin'],
      promptLabel: `AXL password for ${user}@${host.host}`,
    });
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
