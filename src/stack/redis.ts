import { isIP } from 'node:net';
import { DEFAULT_BIND, DEFAULT_MAXMEMORY, renderRedisConf } from '../harden/secure-conf.ts';
import { parseTarget } from '../redis/target.ts';
import { DOCKER_HOST, type StackConfig } from './config.ts';

/** Where the Redis server of the user's machine reads its ACL file (Debian's service may read /etc/redis). */
export const STACK_ACL_FILE = '/etc/redis/users.acl';
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
    '# `redoubt harden` (which also tailors role, maxmemory and TLS: redoubt harden --help). Install it with the ACL',
    `# file that redoubt stack writes on your machine:  sudo install -o redis -m 0600 monitoring/redis/users.acl ${STACK_ACL_FILE}`,
    '# The exporter container logs in as the ACL user "exporter" with REDIS_EXPORTER_PASSWORD from .env.',
    conf,
  ].join('\n');
}
