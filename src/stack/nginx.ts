import { cidrsOverlap, DOCKER_BRIDGE_RANGE, type StackConfig } from '../config/redoubt-yml.ts';
import { SERVICES } from './compose.ts';

/**
 * Where nginx listens, where it finds the three UIs and where it keeps its process files. The compose file's
 * values are the default; tests that run Debian's nginx natively pass loopback ports and a temporary directory.
 * Certificates and htpasswd are always next to nginx.conf (nginx resolves relative paths against the directory of
 * the configuration file), so a copy of monitoring/nginx/ runs anywhere.
 */
export interface NginxRuntime {
  /** `listen` argument of the TLS server: '443' or '127.0.0.1:8443'. */
  listen: string;
  upstreams: { grafana: string; prometheus: string; alertmanager: string };
  pidFile: string;
  errorLog: string;
  accessLog: string;
  /** When set, nginx's temporary files go below it (for a run as a user who cannot write nginx's built-in paths). */
  tempDir?: string;
}

export const COMPOSE_NGINX_RUNTIME: NginxRuntime = {
  listen: String(SERVICES.nginx.port),
  upstreams: {
    grafana: `${SERVICES.grafana.host}:${SERVICES.grafana.port}`,
    prometheus: `${SERVICES.prometheus.host}:${SERVICES.prometheus.port}`,
    alertmanager: `${SERVICES.alertmanager.host}:${SERVICES.alertmanager.port}`,
  },
  pidFile: '/var/run/nginx.pid',
  errorLog: '/var/log/nginx/error.log',
  accessLog: '/var/log/nginx/access.log',
};

/** Paths relative to nginx.conf. */
export const NGINX_FILES = {
  cert: 'certs/server.crt',
  key: 'certs/server.key',
  htpasswd: 'htpasswd',
} as const;

/** nginx's healthcheck runs inside its container: the only client that arrives from 127.0.0.1 there. */
const HEALTHCHECK_CLIENT = '127.0.0.1';

/** Above the allowlist in nginx.conf: what address nginx sees is not always the client's. */
const ALLOWLIST_NOTE = [
  'proxy.allow in redoubt.yml: client networks nginx lets in; everything else gets 403.',
  "nginx sees the address Docker hands it, which is not always the client's. IPv4 clients on other machines keep",
  "theirs (Docker NATs them). Connections to localhost on the Docker host (relayed by docker-proxy, Docker's",
  'userland proxy, or masqueraded when userland-proxy is off) and IPv6 connections docker-proxy relays to this',
  "IPv4-only network arrive from the stack network's gateway (e.g. 172.18.0.1), whoever sent them. So list the",
  `networks your clients really are in, never Docker's bridge range ${DOCKER_BRIDGE_RANGE} (nor a 192.168.x or 10.x`,
  "network Docker's address pools gave the stack): allowing the gateway lets in every relayed client.",
  "Inside the container, 127.0.0.1 is only nginx's own healthcheck.",
];

const PROXY_HEADERS = [
  'proxy_http_version 1.1;',
  // $http_host keeps a non-default port, which Grafana compares with the Origin of a login (CSRF check).
  'proxy_set_header Host $http_host;',
  'proxy_set_header X-Real-IP $remote_addr;',
  'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
  'proxy_set_header X-Forwarded-Proto $scheme;',
  // The proxy login stays at the proxy: Grafana would take a Basic Authorization header for a Grafana login.
  'proxy_set_header Authorization "";',
];

function location(match: string, body: string[]): string[] {
  return [`location ${match} {`, ...body.map((l) => `    ${l}`), '}'];
}

function proxied(match: string, pass: string, extra: string[] = []): string[] {
  return location(match, [
    `proxy_pass ${pass};`,
    ...PROXY_HEADERS,
    ...(extra.length ? extra : ['proxy_set_header Connection "";']),
  ]);
}

function indent(lines: string[], by: string): string[] {
  return lines.map((l) => (l === '' ? '' : `${by}${l}`));
}

/** monitoring/nginx/nginx.conf. */
export function renderNginxConf(config: StackConfig, runtime: NginxRuntime = COMPOSE_NGINX_RUNTIME): string {
  const up = runtime.upstreams;
  const temp = runtime.tempDir
    ? ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${runtime.tempDir}/${t};`)
    : [];
  const server = [
    `listen ${runtime.listen} ssl;`,
    'server_name _;',
    '',
    '# No plain-HTTP listener: a redirect would come after the client had already sent its credentials in clear.',
    '# Plain HTTP sent to this port gets 400.',
    `ssl_certificate ${NGINX_FILES.cert};`,
    `ssl_certificate_key ${NGINX_FILES.key};`,
    'ssl_protocols TLSv1.2 TLSv1.3;',
    'ssl_session_cache shared:TLS:10m;',
    'ssl_session_timeout 1d;',
    'ssl_session_tickets off;',
    'add_header Strict-Transport-Security "max-age=31536000" always;',
    'add_header X-Content-Type-Options nosniff always;',
    'add_header Referrer-Policy same-origin always;',
    '',
    '# Addresses outside proxy.allow get 403 for every path, before any login.',
    'if ($redoubt_allowed_client = 0) {',
    '    return 403;',
    '}',
    '',
    `auth_basic "redoubt monitoring";`,
    `auth_basic_user_file ${NGINX_FILES.htpasswd};`,
    '',
    ...location('= /healthz', ['access_log off;', 'default_type text/plain;', 'return 200 "ok\\n";']),
    '',
    ...location('= /', ['return 302 /grafana/;']),
    '',
    '# Grafana serves itself below /grafana/ (GF_SERVER_SERVE_FROM_SUB_PATH): the path is passed unchanged.',
    ...proxied('/grafana/', `http://${up.grafana}`),
    ...proxied('/grafana/api/live/', `http://${up.grafana}`, [
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection $connection_upgrade;',
    ]),
    '',
    '# Prometheus and Alertmanager keep their routes at / (--web.route-prefix=/) and know their public URL',
    '# (--web.external-url): the trailing slash of proxy_pass strips the prefix.',
    ...proxied('/prometheus/', `http://${up.prometheus}/`),
    '# --web.enable-lifecycle is for /-/reload; nobody needs to stop Prometheus through the proxy.',
    ...location('= /prometheus/-/quit', ['return 403;']),
    '# --web.enable-admin-api is for TSDB snapshots (backups) from inside the stack network only: the admin API',
    '# deletes series and snapshots fill the disk, so nothing reaches it through the proxy.',
    ...location('^~ /prometheus/api/v1/admin/', ['return 403;']),
    ...proxied('/alertmanager/', `http://${up.alertmanager}/`),
    '',
    ...location('/', ['return 404;']),
  ];
  const lines = [
    '# Generated by `redoubt stack` (src/stack/nginx.ts): edit redoubt.yml and re-run it rather than this file.',
    '# TLS reverse proxy in front of Grafana, Prometheus and Alertmanager: an IP allowlist, then basic auth.',
    '# certs/ and htpasswd are relative to this file; `redoubt stack` writes them on your machine (never committed).',
    '',
    'worker_processes auto;',
    `pid ${runtime.pidFile};`,
    `error_log ${runtime.errorLog} warn;`,
    '',
    'events {',
    '    worker_connections 1024;',
    '}',
    '',
    'http {',
    ...indent(
      [
        'server_tokens off;',
        'default_type application/octet-stream;',
        `access_log ${runtime.accessLog};`,
        'client_max_body_size 16m;',
        '# Relative Location headers: Docker may publish nginx on another port than the one it listens on.',
        'absolute_redirect off;',
        ...temp,
        '',
        '# WebSocket upgrade for Grafana Live.',
        'map $http_upgrade $connection_upgrade {',
        '    default upgrade;',
        "    '' close;",
        '}',
        '',
        ...ALLOWLIST_NOTE.map((l) => `# ${l}`),
        'geo $redoubt_allowed_client {',
        '    default 0;',
        ...config.proxy.allow.map((a) => `    ${a} 1;`),
        ...(config.proxy.allow.some((a) => cidrsOverlap(a, HEALTHCHECK_CLIENT))
          ? []
          : [`    ${HEALTHCHECK_CLIENT} 1;  # the healthcheck, from inside this container`]),
        '}',
        '',
        'server {',
        ...indent(server, '    '),
        '}',
      ],
      '    ',
    ),
    '}',
  ];
  return `${lines.join('\n')}\n`;
}
