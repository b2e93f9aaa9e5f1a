import { DOCKER_HOST, publicEndpoint, type StackConfig, targetAddresses } from '../config/redoubt-yml.ts';
import { EXPORTER_PASSWORD, GRAFANA_ADMIN_PASSWORD, GRAFANA_ADMIN_USER } from '../config/stack-env.ts';
import { parseTarget } from '../redis/target.ts';
import { VERSION } from '../version.ts';
import { flow, gap, note, quoted, renderYaml } from './yaml.ts';

/**
 * Pinned images: exact releases, never `latest`, so `docker compose pull` changes nothing until this table does.
 * The Grafana version is the one the dashboard JSON is checked against.
 */
export const IMAGES = {
  prometheus: 'prom/prometheus:v2.53.4',
  alertmanager: 'prom/alertmanager:v0.27.0',
  grafana: 'grafana/grafana:11.6.1',
  nginx: 'nginx:1.27.5-alpine',
} as const;

/** The exporter's image, built from the repository's Dockerfile and tagged with redoubt's version. */
export const EXPORTER_IMAGE = `redoubt-exporter:${VERSION}`;

/** Service names, ports and in-container paths the other renderers refer to. */
export const SERVICES = {
  prometheus: { host: 'prometheus', port: 9090 },
  alertmanager: { host: 'alertmanager', port: 9093 },
  grafana: { host: 'grafana', port: 3000 },
  exporter: { host: 'redis-exporter', port: 9121 },
  nginx: { host: 'nginx', port: 443 },
} as const;

/** Where nginx finds monitoring/nginx/ (nginx.conf, htpasswd, certs/) inside its container. */
export const NGINX_CONF_DIR = '/etc/nginx/redoubt';

/** Where the exporter container finds the files of redis.tlsCaFile, tlsClientCertFile and tlsClientKeyFile. */
export const EXPORTER_TLS_DIR = '/etc/redoubt/tls';

/** The exporter's TLS client files for rediss:// targets: read-only mounts and the variables naming them. */
function exporterTls(config: StackConfig): { volumes: string[]; environment: Record<string, string> } {
  const files = [
    [config.redis.tlsCaFile, 'ca.crt', 'REDIS_EXPORTER_TLS_CA_CERT_FILE'],
    [config.redis.tlsClientCertFile, 'client.crt', 'REDIS_EXPORTER_TLS_CLIENT_CERT_FILE'],
    [config.redis.tlsClientKeyFile, 'client.key', 'REDIS_EXPORTER_TLS_CLIENT_KEY_FILE'],
  ].filter(([host]) => host !== '');
  return {
    // Compose reads a relative source without ./ as a named volume.
    volumes: files.map(([host, name]) => `${/^[./]/.test(host) ? host : `./${host}`}:${EXPORTER_TLS_DIR}/${name}:ro`),
    environment: Object.fromEntries(files.map(([, name, variable]) => [variable, `${EXPORTER_TLS_DIR}/${name}`])),
  };
}

/** `${VAR:?message}`: Compose stops with the message when VAR is unset or empty, instead of using a default. */
function required(name: string): string {
  return `\${${name}:?${name} is not set: run redoubt stack --out . to write .env}`;
}

function wgetCheck(url: string, insecure = false): unknown {
  return flow(['CMD', 'wget', '-q', '--spider', ...(insecure ? ['--no-check-certificate'] : []), url]);
}

function healthcheck(test: unknown, startPeriod = '30s'): Record<string, unknown> {
  return { test, interval: '30s', timeout: '5s', retries: 3, start_period: startPeriod };
}

const HARDENING = {
  security_opt: flow(['no-new-privileges:true']),
};

/** docker-compose.monitoring.yml. */
export function renderCompose(config: StackConfig): string {
  const pub = publicEndpoint(config);
  const { prometheus, alertmanager, grafana, exporter, nginx } = SERVICES;
  const needsHostGateway = config.redis.targets.some((t) => parseTarget(t).host === DOCKER_HOST);
  const tls = exporterTls(config);

  const services = {
    prometheus: note(
      'Scrapes the exporter and evaluates monitoring/prometheus/alert.rules. --web.enable-lifecycle allows\n' +
        'POST /-/reload (through the proxy: https://…/prometheus/-/reload, with the proxy login).\n' +
        '--web.enable-admin-api allows TSDB snapshots for backups, inside the stack network only (nginx refuses\n' +
        '/prometheus/api/v1/admin/): docker compose exec prometheus wget -qO- --post-data= http://127.0.0.1:9090/api/v1/admin/tsdb/snapshot\n' +
        'Served at /prometheus/ by nginx, which strips the prefix: the routes stay at / inside the network.',
      {
        image: IMAGES.prometheus,
        restart: 'unless-stopped',
        command: [
          '--config.file=/etc/prometheus/prometheus.yml',
          '--storage.tsdb.path=/prometheus',
          `--storage.tsdb.retention.time=${config.prometheus.retention}`,
          '--web.enable-lifecycle',
          '--web.enable-admin-api',
          `--web.external-url=${pub.origin}/prometheus/`,
          '--web.route-prefix=/',
        ],
        volumes: ['./monitoring/prometheus:/etc/prometheus:ro', 'prometheus_data:/prometheus'],
        healthcheck: healthcheck(wgetCheck(`http://127.0.0.1:${prometheus.port}/-/healthy`)),
        cap_drop: flow(['ALL']),
        ...HARDENING,
      },
    ),
    alertmanager: gap(
      note('Groups, inhibits and sends the alerts to the webhook in monitoring/alertmanager/alertmanager.yml.', {
        image: IMAGES.alertmanager,
        restart: 'unless-stopped',
        command: [
          '--config.file=/etc/alertmanager/alertmanager.yml',
          '--storage.path=/alertmanager',
          `--web.external-url=${pub.origin}/alertmanager/`,
          '--web.route-prefix=/',
          note('A single Alertmanager: no cluster gossip port.', '--cluster.listen-address='),
        ],
        volumes: ['./monitoring/alertmanager:/etc/alertmanager:ro', 'alertmanager_data:/alertmanager'],
        healthcheck: healthcheck(wgetCheck(`http://127.0.0.1:${alertmanager.port}/-/healthy`)),
        cap_drop: flow(['ALL']),
        ...HARDENING,
      }),
    ),
    grafana: gap(
      note(
        'The Prometheus datasource and the Redis dashboard are provisioned from monitoring/grafana/provisioning:\n' +
          'nothing to add by hand. The admin login comes from .env; there is no admin/admin fallback.',
        {
          image: IMAGES.grafana,
          restart: 'unless-stopped',
          environment: {
            GF_SECURITY_ADMIN_USER: required(GRAFANA_ADMIN_USER),
            GF_SECURITY_ADMIN_PASSWORD: required(GRAFANA_ADMIN_PASSWORD),
            GF_AUTH_ANONYMOUS_ENABLED: 'false',
            GF_USERS_ALLOW_SIGN_UP: 'false',
            GF_USERS_ALLOW_ORG_CREATE: 'false',
            GF_SERVER_ROOT_URL: `${pub.origin}/grafana/`,
            GF_SERVER_SERVE_FROM_SUB_PATH: 'true',
            GF_SECURITY_COOKIE_SECURE: 'true',
            GF_SECURITY_DISABLE_GRAVATAR: 'true',
            GF_ANALYTICS_REPORTING_ENABLED: 'false',
            GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
          },
          volumes: ['./monitoring/grafana/provisioning:/etc/grafana/provisioning:ro', 'grafana_data:/var/lib/grafana'],
          healthcheck: healthcheck(wgetCheck(`http://127.0.0.1:${grafana.port}/api/health`), '60s'),
          ...HARDENING,
        },
      ),
    ),
    [exporter.host]: gap(
      note(
        "redoubt's exporter, built from this repository's Dockerfile. Prometheus scrapes each Redis through\n" +
          `/scrape?target=…; it logs in as the ACL user "exporter" (monitoring/redis/users.acl), and only the\n` +
          'targets in REDOUBT_SCRAPE_ALLOWED_TARGETS ever receive that password.',
        {
          build: { context: config.exporter.buildContext, dockerfile: 'Dockerfile' },
          image: EXPORTER_IMAGE,
          restart: 'unless-stopped',
          environment: {
            REDIS_ADDR: note('No default target: every Redis is scraped through /scrape.', ''),
            REDIS_USER: 'exporter',
            REDIS_PASSWORD: required(EXPORTER_PASSWORD),
            REDOUBT_SCRAPE_ALLOWED_TARGETS: targetAddresses(config).join(','),
            REDIS_EXPORTER_CONNECTION_TIMEOUT: note("Below Prometheus' 10s scrape timeout.", '5s'),
            ...tls.environment,
          },
          ...(tls.volumes.length > 0
            ? { volumes: note('The CA and client certificate for the rediss:// targets (redoubt.yml).', tls.volumes) }
            : {}),
          ...(needsHostGateway
            ? {
                extra_hosts: note(
                  `${DOCKER_HOST} is the Docker host: Redis must listen on the bridge address too\n` +
                    '(monitoring/redis-secure.conf binds -172.17.0.1, the default docker0 gateway).',
                  [`${DOCKER_HOST}:host-gateway`],
                ),
              }
            : {}),
          healthcheck: healthcheck(
            flow([
              'CMD',
              'node',
              '-e',
              `fetch('http://127.0.0.1:${exporter.port}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
            ]),
          ),
          cap_drop: flow(['ALL']),
          ...HARDENING,
        },
      ),
    ),
    nginx: gap(
      note(
        'The only published port: TLS, an IP allowlist and basic auth in front of /grafana/, /prometheus/ and\n' +
          '/alertmanager/ (monitoring/nginx/nginx.conf). No plain-HTTP listener, so credentials never cross the\n' +
          'network unencrypted. Certificates and htpasswd are written by redoubt stack on this machine.',
        {
          image: IMAGES.nginx,
          restart: 'unless-stopped',
          command: flow(['nginx', '-c', `${NGINX_CONF_DIR}/nginx.conf`, '-g', 'daemon off;']),
          ports: [quoted(`${pub.port}:${nginx.port}`)],
          volumes: [`./monitoring/nginx:${NGINX_CONF_DIR}:ro`],
          depends_on: note('nginx resolves the upstream names when it starts.', {
            grafana: { condition: 'service_healthy' },
            prometheus: { condition: 'service_healthy' },
            alertmanager: { condition: 'service_healthy' },
          }),
          healthcheck: healthcheck(wgetCheck(`https://127.0.0.1:${nginx.port}/healthz`, true)),
          ...HARDENING,
        },
      ),
    ),
  };

  return renderYaml(
    {
      services,
      volumes: gap({ prometheus_data: {}, alertmanager_data: {}, grafana_data: {} }),
    },
    [
      'Generated by `redoubt stack` (src/stack/compose.ts): edit redoubt.yml and re-run it rather than this file.',
      '',
      'Start: docker compose -f docker-compose.monitoring.yml up -d --build   (Docker Compose v2)',
      `Open:  ${pub.origin}/grafana/  ·  ${pub.origin}/prometheus/  ·  ${pub.origin}/alertmanager/`,
      '',
      'Variables come from .env next to this file, which Compose reads for interpolation. Each service gets only',
      'the ones it needs, and a missing one stops Compose with a message. No secret is written here.',
    ].join('\n'),
  );
}
