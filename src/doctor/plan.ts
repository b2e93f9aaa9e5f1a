import type { StackConfig } from '../config/redoubt-yml.ts';
import type { StackEnv } from '../config/stack-env.ts';
import type { TlsOptions } from '../redis/connection.ts';
import { type PasswordMap, resolveCredentials } from '../redis/password-file.ts';
import { makeTarget } from '../redis/target.ts';
import type { SampleLimits } from './big-keys.ts';
import { diagnoseEnvAddress, envPasswordFor } from './env-file.ts';
import type { Finding } from './finding.ts';
import { parseHttpAddress } from './http-probe.ts';
import type { PasswordOrigin } from './login.ts';
import type { RedisCheck } from './redis-chain.ts';
import { readRedisUrl } from './url-password.ts';

/** What the command line, redoubt.yml and .env say to diagnose. */
export interface DoctorInput {
  redis: string[];
  user?: string;
  password?: string;
  passwords?: PasswordMap;
  config?: { config: StackConfig; hasUpSection: boolean };
  env?: { file: string; values: StackEnv };
  exporter?: string;
  prometheus?: string;
  alertmanager?: string;
  up?: string;
  tls?: TlsOptions;
  stepMs: number;
  sample: SampleLimits;
}

export interface DoctorPlan {
  /** Findings known before anything is dialled (.env against redoubt.yml). */
  upfront: Finding[];
  redis: RedisCheck[];
  exporter?: URL;
  prometheus?: URL;
  alertmanager?: URL;
  up?: URL;
  stepMs: number;
}

const ORIGIN: Record<string, PasswordOrigin> = { url: 'url', flags: 'flag', file: 'password file' };

/** One target's credentials: the URL's, the flags', the password file's, else .env's (as the stack's exporter). */
function redisCheck(raw: string, fromConfig: boolean, input: DoctorInput): RedisCheck {
  const { target: bare, problem } = readRedisUrl(raw);
  const env = input.env?.values ?? {};
  const stackUser = fromConfig && env.REDIS_EXPORTER_PASSWORD ? 'exporter' : undefined;
  const user = bare.username ?? (input.user || env.REDIS_USER || stackUser);
  const creds = resolveCredentials(bare, { user, password: input.password, passwords: input.passwords });
  const envPassword = input.env ? envPasswordFor(env, creds.user ?? 'default') : undefined;
  let password = creds.password;
  let origin: PasswordOrigin = creds.passwordFrom ? ORIGIN[creds.passwordFrom] : 'none';
  if (!password && envPassword) {
    password = envPassword.value;
    origin = '.env';
  }
  const target = makeTarget(bare.scheme, bare.host, bare.port, bare.path, bare.db, creds.user, password);
  return {
    target,
    origin,
    ...(problem ? { urlProblem: problem } : {}),
    ...(envPassword && input.env ? { env: { file: input.env.file, ...envPassword } } : {}),
    ...(input.tls ? { tls: input.tls } : {}),
    stepMs: input.stepMs,
    sample: input.sample,
  };
}

/**
 * The targets and components to diagnose. Nothing named: REDIS_ADDR from .env, else redis://localhost:6379.
 * Throws TargetError / TypeError for an address that cannot be read (the command exits 2).
 */
export function planDoctor(input: DoctorInput): DoctorPlan {
  const upfront: Finding[] = [];
  const fromConfig = input.config?.config.redis.targets ?? [];
  const named =
    input.redis.length > 0 ||
    fromConfig.length > 0 ||
    input.exporter ||
    input.prometheus ||
    input.alertmanager ||
    input.up;
  const redis = input.redis.map((r) => redisCheck(r, false, input));
  for (const t of fromConfig) redis.push(redisCheck(t, true, input));
  if (!named) redis.push(redisCheck(input.env?.values.REDIS_ADDR || 'redis://localhost:6379', false, input));
  if (input.env && fromConfig.length > 0) {
    const f = diagnoseEnvAddress(input.env.file, input.env.values, fromConfig);
    if (f) upfront.push(f);
  }
  const upAddress = input.up || (input.config?.hasUpSection ? input.config.config.up.listenAddress : undefined);
  return {
    upfront,
    redis,
    ...(input.exporter ? { exporter: parseHttpAddress(input.exporter) } : {}),
    ...(input.prometheus ? { prometheus: parseHttpAddress(input.prometheus) } : {}),
    ...(input.alertmanager ? { alertmanager: parseHttpAddress(input.alertmanager) } : {}),
    ...(upAddress ? { up: parseHttpAddress(upAddress) } : {}),
    stepMs: input.stepMs,
  };
}
