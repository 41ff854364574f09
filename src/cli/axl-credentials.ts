/**
 * The application-user credentials every Cisco command takes (`xfed axl-auth`,
 * `xfed cisco services`): `--user` / XFED_AXL_USER, the password from XFED_AXL_PASSWORD,
 * `--password-stdin` or a no-echo prompt, never from argv. One definition, so the commands
 * cannot drift apart.
 */
import * as Flags from '@oclif/core/flags';
import { UsageError } from './errors.js';
import { shown } from './file-input.js';
import { readSecret } from './secret.js';

export const PASSWORD_SOURCES = 'set XFED_AXL_PASSWORD or use --password-stdin';
const NO_PASSWORD_FLAG = `there is no --password flag (argv leaks through ps and shell history); ${PASSWORD_SOURCES}`;

const usage = (m: string): never => {
  throw new UsageError(m);
};

// RFC 7617 §2: a Basic user-id cannot contain ":"; control characters never belong in a user name.
const userFlag = Flags.custom<string>({
  parse: async (s) =>
    /^[^:\x00-\x1f\x7f]{1,128}$/.test(s)
      ? s
      : usage(`--user "${shown(s)}" must be 1-128 characters without ":" or control characters`),
});

/** The flags: --user, --password-stdin, and a hidden --password that only refuses. */
export function credentialFlags(userDescription: string) {
  return {
    user: userFlag({
      env: 'XFED_AXL_USER',
      description: `${userDescription}; the password comes from XFED_AXL_PASSWORD, --password-stdin or a prompt`,
    }),
    'password-stdin': Flags.boolean({ description: 'read the password from stdin (one line)' }),
    // Not a way to pass the password: a guard so `--password=…` is refused without echoing it
    // (an unknown-flag error would print the value to stderr, e.g. into CI logs).
    password: Flags.string({ hidden: true, parse: async () => usage(NO_PASSWORD_FLAG) }),
  };
}

/** The secretHint of a command that takes these flags. */
export function credentialHint(command: string): string {
  return `${command} takes flags only; for the password, ${PASSWORD_SOURCES}`;
}

/** The user (required) and the password, from the env var, stdin or a prompt naming `where`. */
export async function readCredentials(
  flags: { user?: string | undefined; 'password-stdin'?: boolean },
  where: string,
): Promise<{ user: string; password: string }> {
  const user =
    flags.user ?? usage('missing --user: give the AXL application user with --user or XFED_AXL_USER');
  const password = await readSecret({
    envVar: 'XFED_AXL_PASSWORD',
    stdinFlag: '--password-stdin',
    fromStdin: flags['password-stdin'],
    promptLabel: `AXL password for ${user}@${where}`,
  });
  return { user, password };
}
