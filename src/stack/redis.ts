import { isIP } from 'node:net';
import { DEFAULT_BIND, DEFAULT_MAXMEMORY, renderRedisConf } from '../catalog/secure-conf.ts';
import { DOCKER_HOST, type StackConfig } from '../config/redoubt-yml.ts';
import { parseTarget } from '../redis/target.ts';
import { STACK_LAYOUT } from './layout.ts';

/** Where the Redis server of the user's machine reads its ACL file (Debian's service may read /etc/redis). */
export const STACK_ACL_FILE = '/etc/redis/users.acl';
/** Where monitoring/redis-secure.conf is installed, included from the end of Debian's /etc/redis/redis.conf. */
export const STACK_REDIS_CONF = '/etc/redis/redis-secure.conf';
export const REDIS_MAIN_CONF = '/etc/redis/redis.conf';
/** Debian's unit (`redis` is an alias of it). */
export const REDIS_SERVICE = 'redis-server';
/** Docker's default bridge gateway, which `host-gateway` resolves to; `-` lets Redis start where it is missing. */
export const DOCKER_BRIDGE_BIND = '-172.17.0.1';

/**
 * The addresses Redis must listen on for the exporter container to reach it: loopback, the Docker bridge for
 * host.docker.internal targets, and the IP addresses targets name. (A DNS name says nothing about the interface.)
 */
export function stackBind(config: StackConfig): string[] {
  const bind = [...DEFAULT_BIND];
  for (const t of config.redis.targets) {
    const host = parseTarget(t).host;
    const addr = host === DOCKER_HOST ? DOCKER_BRIDGE_BIND : isIP(host) ? host : undefined;
    if (addr && !bind.includes(addr) && !bind.includes(`-${addr}`) && !/^127\.|^::1$/.test(addr)) bind.push(addr);
  }
  return bind;
}

/**
 * The commands that give a Redis server (Debian's package layout) the stack's ACL users and redis-secure.conf, then
 * restart it; `path` spells the generated files as the user reaches them. `redoubt stack` prints them, the
 * configuration's header and README.md quote them (a test checks the README).
 */
export function redisInstallCommands(path: (p: string) => string = (p) => p): string[] {
  return [
    `sudo install -o redis -g redis -m 0600 ${path(STACK_LAYOUT.usersAcl.path)} ${STACK_ACL_FILE}`,
    `sudo install -o redis -g redis -m 0640 ${path(STACK_LAYOUT.redisConf.path)} ${STACK_REDIS_CONF}`,
    `echo 'include ${STACK_REDIS_CONF}' | sudo tee -a ${REDIS_MAIN_CONF}`,
    `sudo systemctl restart ${REDIS_SERVICE}`,
  ];
}

/** The addresses of stackBind as a sentence would name them (without the `-` that makes an address optional). */
export function stackBindAddresses(config: StackConfig): string[] {
  return stackBind(config).map((a) => a.replace(/^-/, ''));
}

/** monitoring/redis-secure.conf: `redoubt harden`'s configuration, bound where the exporter container connects. */
export function renderStackRedisConf(config: StackConfig): string {
  const first = parseTarget(config.redis.targets[0]);
  const conf = renderRedisConf({
    role: 'store',
    bind: stackBind(config),
    port: first.port,
    maxmemory: DEFAULT_MAXMEMORY,
    aclFile: STACK_ACL_FILE,
  });
  return [
    '# For the Redis server(s) docker-compose.monitoring.yml watches; written by `redoubt stack` with the renderer of',
    '# `redoubt harden` (which also tailors role, maxmemory and TLS: redoubt harden --help). Review maxmemory below,',
    '# then install it with the ACL file redoubt stack writes on your machine, and restart Redis (once Docker runs, so',
    '# that the bridge address below exists):',
    ...redisInstallCommands().map((c) => `#   ${c}`),
    '# The exporter container logs in as the ACL user "exporter" with REDIS_EXPORTER_PASSWORD from .env.',
    conf,
  ].join('\n');
}
