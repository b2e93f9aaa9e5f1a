import type { TlsOptions } from '../redis/connection.ts';
import { makeTarget, type RedisTarget } from '../redis/target.ts';
import { diagnoseBigKeys, type SampleLimits, sampleBigKeys } from './big-keys.ts';
import { diagnoseDns, lookupHost } from './dns-lookup.ts';
import { diagnoseEnvPassword } from './env-file.ts';
import type { Finding, StepResult } from './finding.ts';
import { diagnoseForkHeadroom, isLocalTarget, readHostMemory } from './fork-headroom.ts';
import { diagnoseFragmentation } from './fragmentation.ts';
import { diagnoseLogin, ourFlag, type PasswordOrigin, tryLogin } from './login.ts';
import { diagnoseManagedLimits } from './managed-limits.ts';
import { memoryFacts } from './memory-facts.ts';
import { diagnoseMemoryLimit } from './memory-limit.ts';
import { diagnosePermissions } from './permissions.ts';
import { collectServerFacts } from './server-facts.ts';
import { diagnoseTcp, probeTcp } from './tcp-connect.ts';
import { diagnosePlainPort, diagnoseTls } from './transport-diagnosis.ts';
import { probePlain, probeTls } from './transport-probes.ts';

export interface RedisCheck {
  /** The target with the credentials to try. */
  target: RedisTarget;
  origin: PasswordOrigin;
  /** A finding about the URL itself (unencoded characters), reported first. */
  urlProblem?: Finding;
  /** The password .env holds for this user, to compare with the one given. */
  env?: { file: string; variable: string; value: string };
  tls?: TlsOptions;
  /** Deadline of each step. */
  stepMs: number;
  sample: SampleLimits;
}

/** DNS → TCP → TLS or plaintext → login: each step stops the chain when the ones after it cannot work. */
async function reachServer(c: RedisCheck, out: Finding[]): Promise<boolean> {
  const t = c.target;
  const subject = t.display;
  const add = (r: StepResult) => {
    out.push(...r.findings);
    return !r.stop;
  };
  if (t.scheme !== 'unix') {
    const dns = diagnoseDns(subject, await lookupHost(t.host, c.stepMs));
    if (!add({ findings: [dns], stop: dns.status === 'fail' })) return false;
  }
  const where = t.scheme === 'unix' ? { path: t.path } : { host: t.host, port: t.port };
  const tcp = diagnoseTcp(subject, await probeTcp(where, c.stepMs), t.scheme === 'unix');
  if (!add({ findings: [tcp], stop: tcp.status === 'fail' })) return false;
  if (t.scheme === 'rediss') {
    const tls = await probeTls(t, c.tls, c.stepMs);
    const plain = tls.handshake === 'done' ? undefined : await probePlain(where, c.stepMs);
    return add(diagnoseTls(subject, tls, plain));
  }
  const plain = await probePlain(where, c.stepMs);
  const tls = plain.answer === 'resp' || t.scheme === 'unix' ? undefined : await probeTls(t, c.tls, c.stepMs);
  return add(diagnosePlainPort(subject, plain, tls));
}

/** The whole diagnosis of one Redis server, in order; never throws for what the server does. */
export async function diagnoseRedis(c: RedisCheck): Promise<Finding[]> {
  const out: Finding[] = c.urlProblem ? [c.urlProblem] : [];
  const subject = c.target.display;
  if (!(await reachServer(c, out))) return out;
  const login = await tryLogin(c.target, c.tls, c.stepMs, c.origin);
  out.push(diagnoseLogin(subject, login.facts));
  if (c.env && c.env.value !== c.target.password && c.origin !== '.env') {
    const t = c.target;
    const envTarget = makeTarget(t.scheme, t.host, t.port, t.path, t.db, t.username, c.env.value);
    const viaEnv = await tryLogin(envTarget, c.tls, c.stepMs, '.env', c.env.variable);
    await viaEnv.connection?.close();
    out.push(diagnoseEnvPassword(subject, login.facts, viaEnv.facts, c.env.file));
  }
  const connection = login.connection;
  if (!connection) return out;
  try {
    const facts = await collectServerFacts(connection, login.facts.user);
    const permissions = diagnosePermissions(subject, facts);
    out.push(...permissions.findings);
    if (permissions.stop) return out;
    out.push(...diagnoseManagedLimits(subject, facts));
    const memory = memoryFacts(facts.info, facts.config);
    out.push(...diagnoseMemoryLimit(subject, memory));
    out.push(diagnoseFragmentation(subject, memory));
    if (c.sample.maxKeys > 0) {
      const sample = await sampleBigKeys(connection, c.sample);
      const dbKeys = Number(/keys=(\d+)/.exec(facts.info.get(`db${c.target.db}`) ?? '')?.[1] ?? 0);
      out.push(diagnoseBigKeys(subject, sample, memory.usedMemory, dbKeys));
    }
    out.push(...diagnoseForkHeadroom(subject, memory, isLocalTarget(c.target) ? readHostMemory() : undefined));
  } catch (err) {
    out.push({
      subject,
      check: 'server',
      status: 'fail',
      summary: `the server stopped answering: ${ourFlag((err as Error).message)}`,
      fix: "run the doctor again; if it repeats, check the server's log",
    });
  } finally {
    await connection.close();
  }
  return out;
}
