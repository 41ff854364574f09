/** Looks up the system users the Debian packages create (prosody, ejabberd) in /etc/passwd. */
import { readFileSync } from 'node:fs';

export interface ServiceUser {
  name: string;
  uid: number;
  gid: number;
}

export function serviceUser(name: string): ServiceUser {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { name, uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new Error(`system user "${name}" not found (is the ${name} package installed?)`);
}

export function hasServiceUser(name: string): boolean {
  try {
    serviceUser(name);
    return true;
  } catch {
    return false;
  }
}
