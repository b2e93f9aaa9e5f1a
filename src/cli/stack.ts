import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { generateTlsBundle } from '../certificates/tls-bundle.ts';
import {
  cidrsOverlap,
  DEFAULT_STACK_CONFIG,
  DOCKER_BRIDGE_RANGE,
  DOCKER_HOST,
  publicEndpoint,
  readStackConfigFile,
  type StackConfig,
} from '../config/redoubt-yml.ts';
import {
  generateStackPasswords,
  missingSecrets,
  PROXY_AUTH_USER,
  parseEnvFile,
  type StackEnv,
} from '../config/stack-env.ts';
import { type FlagSpec, formatHelp, parseFlags, UsageError } from '../flags/flags.ts';
import { FileWriteError, makeDirectory, writeFileAtomic } from '../fs/atomic-write.ts';
import { readRegularFile } from '../fs/read-file.ts';
import { webhookParts } from '../stack/alertmanager.ts';
import { apr1Salt } from '../stack/htpasswd.ts';
import { STACK_LAYOUT, type StackFileId } from '../stack/layout.ts';
import {
  type CommittedOutcome,
  committedOutcome,
  MANIFEST_PATH,
  parseManifest,
  renderManifest,
  sha256,
} from '../stack/manifest.ts';
import { DOCKER_BRIDGE_BIND, redisInstallCommands, stackBind, stackBindAddresses } from '../stack/redis.ts';
import {
  renderCommittedFiles,
  renderEnvFile,
  renderHtpasswdFile,
  renderTlsFiles,
  renderUsersAclFile,
  renderWebhookPasswordFile,
  type StackFile,
  type StackTls,
} from '../stack/render.ts';
import { shellQuote } from '../text/shell-quote.ts';
import { wrap } from '../text/wrap.ts';
import type { CliIo } from './io.ts';

const USAGE = `Usage: redoubt stack --out DIR [--config redoubt.yml] [--force]

Writes the monitoring stack into DIR: docker-compose.monitoring.yml (Prometheus, Alertmanager, Grafana, redoubt's
exporter and an nginx TLS proxy), monitoring/ (their configuration, the alert rules, the provisioned Grafana
datasource and dashboard, a hardened redis-secure.conf), Dockerfile and .env.example. These carry no secret.

On this machine only, it also writes what must never be committed: .env (generated passwords, mode 0600),
monitoring/redis/users.acl (the Redis ACL users with SHA-256 hashes), monitoring/nginx/htpasswd (the proxy login)
and monitoring/nginx/certs/ (a private CA and nginx's certificate). Existing ones are kept, so re-running after
editing redoubt.yml only regenerates the configuration; --force replaces them with new passwords and keys.

redoubt.yml (every key optional):
  redis:        { targets: [redis://host.docker.internal:6379] }   Redis URLs, without passwords
  prometheus:   { retention: 15d }
  alertmanager: { webhookUrl: https://hooks.example.internal/alerts }
  grafana:      { adminUser: admin }
  proxy:        { publicUrl: https://localhost, allow: [127.0.0.1, 10.0.0.0/8, …], user: monitor }
  exporter:     { buildContext: . }                                a checkout of redoubt, relative to DIR`;

export const STACK_FLAGS: FlagSpec[] = [
  { name: 'out', type: 'string', default: '', help: 'Directory to write the stack to (created if missing).' },
  { name: 'config', type: 'string', default: '', help: 'redoubt.yml with your targets, webhook, allowlist, …' },
  {
    name: 'force',
    type: 'bool',
    default: false,
    help: 'Replace .env, users.acl, htpasswd and the certificates with new passwords and keys.',
  },
];

/** Test seams: fixed passwords and certificates instead of generated ones. */
export interface StackDeps {
  passwords?: StackEnv;
  tls?: StackTls;
}

function loadConfig(path: string): StackConfig {
  if (!path) return structuredClone(DEFAULT_STACK_CONFIG);
  return readStackConfigFile(path);
}

type Outcome = CommittedOutcome;

interface Planned {
  file: StackFile;
  outcome: Outcome;
}

/** Which local files to write and which to keep, following the rule: a secret is never replaced without --force. */
async function planLocalFiles(
  dir: string,
  config: StackConfig,
  force: boolean,
  deps: StackDeps,
): Promise<{ planned: Planned[]; kept: StackFileId[]; notes: string[] }> {
  const at = (id: StackFileId) => join(dir, STACK_LAYOUT[id].path);
  const exists = (id: StackFileId) => readRegularFile(at(id)) !== undefined;
  const planned: Planned[] = [];
  const kept: StackFileId[] = [];
  const notes: string[] = [];

  let passwords: StackEnv;
  let writeEnv = true;
  if (!force && exists('env')) {
    passwords = parseEnvFile((readRegularFile(at('env')) as Buffer).toString('utf8'));
    const missing = missingSecrets(passwords);
    if (missing.length > 0)
      throw new UsageError(
        `${at('env')} exists but lacks ${missing.join(', ')}; add ${missing.length === 1 ? 'it' : 'them'}, or pass --force to replace .env and every file made from it with new passwords`,
      );
    writeEnv = false;
    kept.push('env');
  } else {
    const dependent = (['usersAcl', 'htpasswd'] as const).filter(exists);
    if (!force && dependent.length > 0)
      throw new UsageError(
        `${dependent.map(at).join(' and ')} ${dependent.length === 1 ? 'exists' : 'exist'} but ${at('env')} does not, so ${
          dependent.length === 1 ? 'its passwords are' : 'their passwords are'
        } unknown; refusing to overwrite. Restore .env, or pass --force to replace them with new passwords.`,
      );
    passwords = deps.passwords ?? generateStackPasswords();
  }

  const proxyUser = passwords[PROXY_AUTH_USER] || config.proxy.user;
  const fromEnv: [StackFileId, () => StackFile][] = [
    ['usersAcl', () => renderUsersAclFile(passwords)],
    [
      'htpasswd',
      () => renderHtpasswdFile({ ...config, proxy: { ...config.proxy, user: proxyUser } }, passwords, apr1Salt()),
    ],
  ];
  if (writeEnv) planned.push({ file: renderEnvFile(config, passwords), outcome: 'wrote' });
  for (const [id, render] of fromEnv) {
    if (!force && exists(id)) kept.push(id);
    else planned.push({ file: render(), outcome: 'wrote' });
  }

  const tlsIds: StackFileId[] = ['caCert', 'serverCert', 'serverKey'];
  const present = tlsIds.filter(exists);
  const host = publicEndpoint(config).host;
  const stale = present.includes('serverCert') && !certificateNames(at('serverCert'), host);
  if (!force && present.length === tlsIds.length && !stale) kept.push(...tlsIds);
  else if (!force && stale) {
    // proxy.publicUrl changed: a new CA and certificate for the new name; the passwords stay.
    const tls = deps.tls ?? (await generateTls(config));
    for (const f of renderTlsFiles(tls)) planned.push({ file: f, outcome: 'wrote' });
    notes.push(
      `the certificate in ${dirname(STACK_LAYOUT.serverCert.path)}/ did not name ${host} (proxy.publicUrl): made a new CA and certificate for it (passwords kept); trust the new ${STACK_LAYOUT.caCert.path}`,
    );
  } else {
    if (!force && present.length > 0)
      throw new UsageError(
        `${present.map(at).join(', ')} exist without the rest of ${dirname(at('serverKey'))}; refusing to overwrite them. Pass --force to make a new CA, certificate and key.`,
      );
    const tls = deps.tls ?? (await generateTls(config));
    for (const f of renderTlsFiles(tls)) planned.push({ file: f, outcome: 'wrote' });
  }

  const { password } = webhookParts(config.alertmanager.webhookUrl);
  if (password !== undefined) {
    const file = renderWebhookPasswordFile(password);
    const same = readRegularFile(at('webhookPassword'))?.toString('utf8') === file.data;
    planned.push({ file, outcome: same ? 'unchanged' : 'wrote' });
  }
  return { planned, kept, notes };
}

/** Whether the PEM certificate at `path` names `host` (DNS or IP subject alternative name). */
function certificateNames(path: string, host: string): boolean {
  try {
    const cert = new X509Certificate(readFileSync(path));
    return (isIP(host) ? cert.checkIP(host) : cert.checkHost(host)) !== undefined;
  } catch {
    return false;
  }
}

async function generateTls(config: StackConfig): Promise<StackTls> {
  const bundle = await generateTlsBundle({ names: [publicEndpoint(config).host] });
  return { caCert: bundle.caCert, serverCert: bundle.serverCert, serverKey: bundle.serverKey };
}

function envIgnored(dir: string): boolean {
  try {
    const lines = readFileSync(join(dir, '.gitignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    return lines.some((l) => l === '.env' || l === '/.env' || l === '.env*' || l === '*.env');
  } catch {
    return false;
  }
}

/** One step of what to do after `redoubt stack`: what it says, then the commands to run, verbatim. */
export interface StackStep {
  says: string;
  run: string[];
}

function listed(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The steps from generated files to a running stack, with the generated files spelled by `path` (relative to where
 * the user stands). `redoubt stack` prints them; README.md's "Monitoring stack" runs the same commands, in this
 * order, with the paths of `--out .` (a test checks it).
 */
export function stackNextSteps(config: StackConfig, path: (p: string) => string = (p) => p): StackStep[] {
  const { origin } = publicEndpoint(config);
  const compose = path(STACK_LAYOUT.compose.path);
  const ca = path(STACK_LAYOUT.caCert.path);
  const env = path(STACK_LAYOUT.env.path);
  const bind = listed(stackBindAddresses(config));
  const bridge = DOCKER_BRIDGE_BIND.replace(/^-/, '');
  const listens = stackBind(config).includes(DOCKER_BRIDGE_BIND)
    ? `It listens on ${bind}; ${bridge} is Docker's bridge, where the exporter container reaches ${DOCKER_HOST}, so restart Redis once Docker runs (Redis skips that address while it does not exist).`
    : `It listens on ${bind}: add the address the exporter container reaches each target at, if it is not there.`;
  return [
    {
      says:
        'Give the Redis server(s) the ACL users and the hardened configuration, then restart Redis (copy both files ' +
        `there first if Redis runs elsewhere; review maxmemory in ${path(STACK_LAYOUT.redisConf.path)} before). ${listens} ` +
        'The default user is off: applications log in as "app" with REDIS_APP_PASSWORD from .env, the exporter as ' +
        '"exporter". If the server holds data and appendonly is off, run CONFIG SET appendonly yes on it first, or it ' +
        'restarts empty.',
      run: redisInstallCommands(path),
    },
    {
      says: 'Start the stack (Docker Compose v2; it builds the exporter image from this repository) and check it:',
      run: [`docker compose -f ${compose} up -d --build`, `docker compose -f ${compose} ps`],
    },
    {
      says:
        `Open ${origin}/grafana/ from a client in proxy.allow (trust ${ca}, the private CA, or accept the ` +
        "browser's warning). The proxy asks for PROXY_AUTH_USER / PROXY_AUTH_PASSWORD from .env, then Grafana for " +
        'GRAFANA_ADMIN_USER / GRAFANA_ADMIN_PASSWORD; the datasource and the Redis dashboard are already there.',
      run: [],
    },
    {
      says: 'After editing monitoring/prometheus/alert.rules, reload Prometheus through the proxy:',
      run: [
        // `. .env` would search PATH in a POSIX shell: the file needs a slash.
        `set -a; . ${env.includes('/') ? env : shellQuote(`./${env.replace(/^'|'$/g, '')}`)}; set +a`,
        `curl --cacert ${ca} -u "$PROXY_AUTH_USER:$PROXY_AUTH_PASSWORD" -X POST ${shellQuote(`${origin}/prometheus/-/reload`)}`,
      ],
    },
  ];
}

/** Words of `text` on lines of at most `width` characters (a longer word gets a line of its own). */
function nextSteps(dir: string, config: StackConfig): string[] {
  // Every path is quoted for the shell: --out may hold spaces or worse.
  const rel = (p: string) => {
    const r = relative(process.cwd(), join(dir, p));
    return shellQuote(r === '' ? '.' : r.startsWith('..') ? join(dir, p) : r);
  };
  const lines = ['Next steps:'];
  stackNextSteps(config, rel).forEach((step, i) => {
    lines.push(...wrap(step.says, 110).map((l, j) => `${j === 0 ? `  ${i + 1}. ` : '     '}${l}`));
    lines.push(...step.run.map((c) => `       ${c}`));
  });
  const notes: string[] = [];
  const { host } = publicEndpoint(config);
  if (host === 'localhost' || host === '::1' || host.startsWith('127.'))
    notes.push(
      `proxy.publicUrl is ${config.proxy.publicUrl}: a browser on this host reaches nginx through Docker, from the stack network's gateway, which proxy.allow does not list (403). Set proxy.publicUrl to this host's name and proxy.allow to your clients' networks, then open it from one of them`,
    );
  const bridge = config.proxy.allow.filter((a) => cidrsOverlap(a, DOCKER_BRIDGE_RANGE));
  if (bridge.length > 0)
    notes.push(
      `proxy.allow has ${bridge.join(', ')}, inside Docker's bridge range ${DOCKER_BRIDGE_RANGE}: connections Docker relays (to localhost on this host, over IPv6) arrive from the stack network's gateway there, so whoever sends them gets past the allowlist`,
    );
  if (config.alertmanager.webhookUrl === DEFAULT_STACK_CONFIG.alertmanager.webhookUrl)
    notes.push(
      'alerts go nowhere yet: set alertmanager.webhookUrl in redoubt.yml and run redoubt stack --config redoubt.yml again',
    );
  if (webhookParts(config.alertmanager.webhookUrl).password !== undefined)
    notes.push(
      `Alertmanager runs as nobody (uid 65534) in its container and must read ${STACK_LAYOUT.webhookPassword.path} (mode 0600, the webhook's password): sudo chown 65534 ${shellQuote(join(dir, STACK_LAYOUT.webhookPassword.path))}`,
    );
  if (!envIgnored(dir)) notes.push(`add .env to ${join(dir, '.gitignore')}: it holds the passwords`);
  if (config.exporter.buildContext === '.' && !existsSync(join(dir, 'src', 'cli', 'main.ts')))
    notes.push(
      `${dir} is not a checkout of redoubt: set exporter.buildContext in redoubt.yml to one (relative to ${dir}) so the exporter image can be built`,
    );
  if (notes.length > 0) lines.push('', 'Note:', ...notes.map((n) => `  - ${n}`));
  return lines;
}

export async function runStack(argv: string[], io: CliIo, deps: StackDeps = {}): Promise<number> {
  const { values, help } = parseFlags(argv, STACK_FLAGS, io.env);
  if (help) {
    io.stdout.write(formatHelp(USAGE, STACK_FLAGS));
    return 0;
  }
  if (!values.out) throw new UsageError('pass --out DIR, the directory to write the stack to (. for here); see --help');
  try {
    return await writeStack(resolve(String(values.out)), String(values.config ?? ''), values.force === true, deps, io);
  } catch (err) {
    // A link planted where a file goes, a file where a directory should be: the user's to fix.
    if (err instanceof FileWriteError) throw new UsageError(err.message);
    throw err;
  }
}

async function writeStack(dir: string, configPath: string, force: boolean, deps: StackDeps, io: CliIo) {
  const config = loadConfig(configPath);
  const manifestPath = join(dir, MANIFEST_PATH);
  const manifest = parseManifest(readRegularFile(manifestPath)?.toString('utf8') ?? '');

  const committed = renderCommittedFiles(config);
  const { planned, kept, notes } = await planLocalFiles(dir, config, force, deps);
  const all: Planned[] = [
    ...committed.map((file) => ({
      file,
      outcome: committedOutcome(readRegularFile(join(dir, file.path)), file.data, manifest.get(file.path), force),
    })),
    ...planned,
  ];

  makeDirectory(dir, 0o755);
  for (const p of all) {
    const path = join(dir, p.file.path);
    const local = STACK_LAYOUT[p.file.id].kind === 'local';
    makeDirectory(dirname(path), local && p.file.mode === 0o600 ? 0o750 : 0o755, dir);
    if (p.outcome === 'wrote') writeFileAtomic(path, p.file.data, { mode: p.file.mode, overwrite: true });
    if (p.outcome === 'kept')
      // The user's version stays; the generator's goes next to it, to compare.
      writeFileAtomic(`${path}.redoubt-new`, p.file.data, { mode: p.file.mode, overwrite: true });
    if (!local && p.outcome !== 'kept') manifest.set(p.file.path, sha256(p.file.data));
  }
  writeFileAtomic(manifestPath, renderManifest(manifest), { mode: 0o644, overwrite: true });

  const width = Math.max(...Object.values(STACK_LAYOUT).map((p) => p.path.length));
  const out = [`redoubt stack: wrote the monitoring stack to ${dir}`];
  for (const p of all)
    out.push(
      p.outcome === 'kept'
        ? `  ${'kept'.padEnd(9)} ${p.file.path.padEnd(width)}        changed since redoubt stack wrote it, or not written by it: the new version is ${p.file.path}.redoubt-new (compare: diff -u ${shellQuote(p.file.path)} ${shellQuote(`${p.file.path}.redoubt-new`)}); --force replaces it`
        : `  ${p.outcome.padEnd(9)} ${p.file.path.padEnd(width)} ${p.file.mode.toString(8).padStart(4, '0')}  ${p.file.what}`,
    );
  for (const id of kept)
    out.push(`  ${'kept'.padEnd(9)} ${STACK_LAYOUT[id].path.padEnd(width)}        exists; --force replaces it`);
  for (const n of notes) out.push(`  ${n}`);
  out.push('', ...nextSteps(dir, config));
  io.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
