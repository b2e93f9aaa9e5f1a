/**
 * Every file `redoubt stack` writes, relative to --out. `committed` files carry no secret (the repository commits
 * them at its root, and a test keeps them in sync with the generator); `local` files are made on the user's machine
 * with generated passwords and keys, and are never committed (monitoring/.gitignore, and `.env` in the root
 * .gitignore).
 */
export type StackFileKind = 'committed' | 'local';

export interface StackPath {
  path: string;
  kind: StackFileKind;
  mode: number;
  what: string;
}

const committed = (path: string, what: string): StackPath => ({ path, kind: 'committed', mode: 0o644, what });
const local = (path: string, mode: number, what: string): StackPath => ({ path, kind: 'local', mode, what });

export const STACK_LAYOUT = {
  compose: committed(
    'docker-compose.monitoring.yml',
    'Prometheus, Alertmanager, Grafana, the exporter and the nginx proxy',
  ),
  dockerfile: committed('Dockerfile', "the exporter's image, built from this repository"),
  dockerignore: committed('.dockerignore', 'keeps .env, monitoring/ and local builds out of the image'),
  envExample: committed('.env.example', 'the variables .env holds, without values'),
  gitignore: committed('monitoring/.gitignore', 'keeps the secret files below out of git'),
  prometheus: committed(
    'monitoring/prometheus/prometheus.yml',
    'scrape jobs (/scrape per Redis target), rules, Alertmanager',
  ),
  alertRules: committed('monitoring/prometheus/alert.rules', 'alert rules from the catalogue'),
  alertmanager: committed('monitoring/alertmanager/alertmanager.yml', 'routing, inhibition, the webhook receiver'),
  grafanaDatasource: committed(
    'monitoring/grafana/provisioning/datasources/prometheus.yml',
    'the Prometheus datasource, with a fixed uid',
  ),
  grafanaDashboards: committed('monitoring/grafana/provisioning/dashboards/dashboards.yml', 'the dashboard provider'),
  grafanaDashboard: committed(
    'monitoring/grafana/provisioning/dashboards/redis/redis-dashboard.json',
    'the Redis dashboard',
  ),
  nginx: committed(
    'monitoring/nginx/nginx.conf',
    'TLS reverse proxy: IP allowlist, basic auth, /grafana/ /prometheus/ /alertmanager/',
  ),
  redisConf: committed('monitoring/redis-secure.conf', 'hardened redis.conf for the servers the stack watches'),

  env: local('.env', 0o600, 'generated passwords: Grafana admin, proxy login, Redis ACL users'),
  usersAcl: local('monitoring/redis/users.acl', 0o600, 'Redis ACL users with SHA-256 password hashes'),
  // Read by nginx's worker processes (not root) at each request, so not 0600; it holds salted hashes of 40-character
  // random passwords only.
  htpasswd: local('monitoring/nginx/htpasswd', 0o644, 'the proxy login, as an apr1 hash'),
  caCert: local('monitoring/nginx/certs/ca.crt', 0o644, 'the private CA: trust it in browsers and curl --cacert'),
  serverCert: local('monitoring/nginx/certs/server.crt', 0o644, "nginx's certificate"),
  serverKey: local('monitoring/nginx/certs/server.key', 0o600, "nginx's private key"),
  webhookPassword: local(
    'monitoring/alertmanager/webhook-password',
    0o600,
    "the password of alertmanager.webhookUrl (Alertmanager's basic auth)",
  ),
} as const satisfies Record<string, StackPath>;

export type StackFileId = keyof typeof STACK_LAYOUT;

export function stackPaths(kind: StackFileKind): StackPath[] {
  return Object.values(STACK_LAYOUT).filter((p) => p.kind === kind);
}

/** monitoring/.gitignore: the secret files under monitoring/ (.env is at the root, so the root .gitignore lists it). */
export function renderMonitoringGitignore(): string {
  const lines = [
    '# Written by `redoubt stack` on your machine, with generated passwords and keys: never commit them.',
    '# (.env, in the directory above, belongs in the root .gitignore.)',
  ];
  for (const p of stackPaths('local'))
    if (p.path.startsWith('monitoring/')) lines.push(`/${p.path.slice('monitoring/'.length)}`);
  return `${lines.join('\n')}\n`;
}
