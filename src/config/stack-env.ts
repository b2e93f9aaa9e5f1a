import { envName, generatePassword, generatePasswords, HARDENED_USERS } from '../catalog/acl-users.ts';
import type { StackConfig } from './redoubt-yml.ts';

/**
 * The variables of the stack's `.env`, as data: `.env.example` (names only), the real `.env` (generated values)
 * and the compose file's `${VAR:?…}` references all come from this table.
 */
export interface EnvVariable {
  name: string;
  /** A generated password (empty in .env.example); otherwise a plain setting from redoubt.yml. */
  secret: boolean;
  what: string;
}

export const GRAFANA_ADMIN_USER = 'GRAFANA_ADMIN_USER';
export const GRAFANA_ADMIN_PASSWORD = 'GRAFANA_ADMIN_PASSWORD';
export const PROXY_AUTH_USER = 'PROXY_AUTH_USER';
export const PROXY_AUTH_PASSWORD = 'PROXY_AUTH_PASSWORD';
export const EXPORTER_PASSWORD = envName('exporter');

const REDIS_USER_PURPOSE: Record<(typeof HARDENED_USERS)[number], string> = {
  admin: 'operators',
  app: 'applications',
  exporter: 'the exporter (redis-exporter service: REDIS_USER=exporter)',
  backup: 'backups (redoubt backup, redis-cli --rdb)',
  auditor: 'redoubt audit',
};

export const STACK_ENV: EnvVariable[] = [
  { name: GRAFANA_ADMIN_USER, secret: false, what: 'Grafana administrator (created on first start)' },
  {
    name: GRAFANA_ADMIN_PASSWORD,
    secret: true,
    what: 'its password; Grafana reads it only when it creates its database, later changes go through Grafana',
  },
  { name: PROXY_AUTH_USER, secret: false, what: 'login of the nginx proxy in front of every UI' },
  {
    name: PROXY_AUTH_PASSWORD,
    secret: true,
    what: 'its password (monitoring/nginx/htpasswd holds its hash; re-run redoubt stack --force to change both)',
  },
  ...HARDENED_USERS.map((u) => ({
    name: envName(u),
    secret: true,
    what: `Redis ACL user ${u}: ${REDIS_USER_PURPOSE[u]} (monitoring/redis/users.acl holds its SHA-256)`,
  })),
];

export type StackEnv = Record<string, string>;

function settings(config: StackConfig): StackEnv {
  return { [GRAFANA_ADMIN_USER]: config.grafana.adminUser, [PROXY_AUTH_USER]: config.proxy.user };
}

function render(header: string[], values: StackEnv): string {
  const lines = [...header];
  for (const v of STACK_ENV) lines.push('', `# ${v.what}`, `${v.name}=${values[v.name] ?? ''}`);
  return `${lines.join('\n')}\n`;
}

/** .env.example: every variable, the secrets empty (Compose refuses to start while a required one is empty). */
export function renderEnvExample(config: StackConfig): string {
  return render(
    [
      '# The variables docker-compose.monitoring.yml reads from .env. `redoubt stack --out .` writes the real .env',
      '# (mode 0600, never committed) with generated passwords; this file only names them. Docker Compose refuses to',
      '# start while a required password is empty, so nothing runs with a default password.',
    ],
    settings(config),
  );
}

/** The real .env: the settings from redoubt.yml and the generated passwords. */
export function renderStackEnv(config: StackConfig, passwords: StackEnv): string {
  return render(
    [
      '# Written by `redoubt stack`: passwords for docker-compose.monitoring.yml and the Redis ACL users.',
      '# Keep it secret (mode 0600) and out of git. Letters and digits only, so no quoting or URL-encoding is needed.',
    ],
    { ...passwords, ...settings(config) },
  );
}

/** New random passwords for every secret variable. */
export function generateStackPasswords(): StackEnv {
  const redis = generatePasswords();
  const out: StackEnv = { [GRAFANA_ADMIN_PASSWORD]: generatePassword(), [PROXY_AUTH_PASSWORD]: generatePassword() };
  for (const u of HARDENED_USERS) out[envName(u)] = redis[u];
  return out;
}

/** KEY=value lines of a .env file (comments, blank lines and `export ` prefixes allowed; quotes removed). */
export function parseEnvFile(text: string): StackEnv {
  const out: StackEnv = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    out[m[1]] = value;
  }
  return out;
}

/** Names of the secret variables missing or empty in `env`. */
export function missingSecrets(env: StackEnv): string[] {
  return STACK_ENV.filter((v) => v.secret && !env[v.name]).map((v) => v.name);
}
