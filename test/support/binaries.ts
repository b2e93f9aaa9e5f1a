import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian package that provides each binary the tests use. */
const PACKAGES: Record<string, string> = {
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-redis-exporter': 'prometheus-redis-exporter',
  openssl: 'openssl',
  alertmanager: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
  nginx: 'nginx',
  script: 'bsdutils',
};

/** Absolute path of a binary, or an error that says how to install it. */
export function requireBinary(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/usr/bin', '/sbin'])) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  throw new Error(
    `${name} is not installed; install it with: sudo apt-get install -y ${PACKAGES[name] ?? name} (or run npm test, which installs it)`,
  );
}
