import { parseStackConfig } from '../config/redoubt-yml.ts';
import { parseEnvFile } from '../config/stack-env.ts';
import { runDiagnosis } from '../doctor/doctor.ts';
import { hasProblems } from '../doctor/finding.ts';
import { planDoctor } from '../doctor/plan.ts';
import { renderJson, renderText } from '../doctor/report.ts';
import { EXPORTER_FLAGS } from '../exporter/flags.ts';
import { type FlagSpec, formatHelp, parseFlags, UsageError } from '../flags/flags.ts';
import { InputFileError, readInputText } from '../fs/read-input.ts';
import { ConfigError, loadPasswordFile } from '../redis/password-file.ts';
import type { CliIo } from './io.ts';
import { CLIENT_TLS_FLAGS, clientTlsFromFlags } from './tls-flags.ts';

export const DOCTOR_FLAGS: FlagSpec[] = [
  {
    name: 'redis',
    type: 'repeated',
    default: [],
    help: 'A Redis server to diagnose (repeatable): redis://[user[:password]@]host:port, rediss://…, unix:///path.',
  },
  {
    name: 'redis.user',
    type: 'string',
    env: ['REDIS_USER'],
    default: '',
    help: 'ACL user to log in as when the URL names none.',
  },
  {
    name: 'redis.password',
    type: 'string',
    env: ['REDIS_PASSWORD'],
    default: '',
    help: 'Password when the URL has none (prefer the REDIS_PASSWORD environment variable).',
  },
  EXPORTER_FLAGS.find((f) => f.name === 'redis.password-file') as FlagSpec,
  {
    name: 'config',
    type: 'string',
    default: '',
    help: 'redoubt.yml: diagnose its redis.targets (and redoubt up, when it has an up: section).',
  },
  {
    name: 'env-file',
    type: 'string',
    default: '',
    help: ".env: its passwords are tried and compared with the ones given; its REDIS_ADDR with redoubt.yml's targets.",
  },
  {
    name: 'exporter',
    type: 'string',
    default: '',
    help: "The exporter's address (http://host:9121): is it scraping (redis_up, last scrape error)?",
  },
  {
    name: 'prometheus',
    type: 'string',
    default: '',
    help: "Prometheus's address (http://host:9090): targets, rules, Alertmanagers.",
  },
  {
    name: 'alertmanager',
    type: 'string',
    default: '',
    help: "Alertmanager's address (http://host:9093): healthy, status.",
  },
  { name: 'up', type: 'string', default: '', help: "redoubt up's address (127.0.0.1:9122): healthy, targets." },
  { name: 'format', type: 'string', default: 'text', help: 'Output: text or json.' },
  {
    name: 'step-timeout',
    type: 'duration',
    default: 5000,
    help: 'Deadline of each step (a lookup, a connection, a request).',
  },
  {
    name: 'sample-keys',
    type: 'int',
    default: 1000,
    help: 'Most keys sampled with SCAN for the biggest-keys check (0 skips it).',
  },
  ...CLIENT_TLS_FLAGS,
];

const USAGE = `Usage: redoubt doctor [--redis URL]… [--config redoubt.yml] [--env-file .env] [--exporter URL] [--prometheus URL] [--alertmanager URL] [--up URL] [--format text|json]

Each step prints ok, info (a fact), advice (a setting worth changing, though nothing is wrong yet: what a stock
redis-server lacks), WARN (going wrong, or will under load) or FAIL (a step of the path is broken), with its fix.
Exit 0: no WARN or FAIL (advice alone exits 0); 1: at least one; 2: bad input.`;
const MAX_FILE_BYTES = 1024 * 1024;

/** A small text file the user named; missing, too big or unreadable is bad input (exit 2). */
function readSmallFile(path: string, flag: string): string {
  try {
    return readInputText(path, MAX_FILE_BYTES);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    if (err.code === 'EFBIG')
      throw new ConfigError(
        `--${flag} ${path} is larger than ${MAX_FILE_BYTES} bytes; it is not a ${flag === 'config' ? 'redoubt.yml' : '.env'}`,
      );
    if (err.code === 'ENOTREG' || err.code === 'EISDIR')
      throw new ConfigError(`--${flag} ${path} is not a regular file`);
    throw new ConfigError(`--${flag} ${path}: ${err.reason}`);
  }
}

/** `redoubt doctor`: exit 0 when nothing is WARN or FAIL (advice is not), 1 when something is, 2 for bad input. */
export async function runDoctor(argv: string[], io: CliIo): Promise<number> {
  const { values, help } = parseFlags(argv, DOCTOR_FLAGS, io.env);
  if (help) {
    io.stdout.write(formatHelp(USAGE, DOCTOR_FLAGS));
    return 0;
  }
  const format = String(values.format);
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format: "${format}" is not text or json`);
  const sampleKeys = Number(values['sample-keys']);
  if (sampleKeys < 0 || sampleKeys > 100000) throw new UsageError('--sample-keys: between 0 and 100000');
  const configPath = String(values.config || '');
  const envPath = String(values['env-file'] || '');
  const configText = configPath ? readSmallFile(configPath, 'config') : undefined;
  const passwordFile = String(values['redis.password-file'] || '');
  const str = (name: string) => String(values[name] || '') || undefined;
  let plan: ReturnType<typeof planDoctor>;
  try {
    plan = planDoctor({
      redis: values.redis as string[],
      user: str('redis.user'),
      password: str('redis.password'),
      ...(passwordFile ? { passwords: loadPasswordFile(passwordFile) } : {}),
      ...(configText !== undefined
        ? { config: { config: parseStackConfig(configText, configPath), hasUpSection: /^up\s*:/m.test(configText) } }
        : {}),
      ...(envPath ? { env: { file: envPath, values: parseEnvFile(readSmallFile(envPath, 'env-file')) } } : {}),
      exporter: str('exporter'),
      prometheus: str('prometheus'),
      alertmanager: str('alertmanager'),
      up: str('up'),
      tls: clientTlsFromFlags(values),
      stepMs: Number(values['step-timeout']),
      sample: { maxKeys: sampleKeys, ms: Math.max(1000, Number(values['step-timeout'])) },
    });
  } catch (err) {
    if (err instanceof TypeError) throw new UsageError(`an address is not a valid http(s) URL: ${err.message}`);
    throw err;
  }
  const findings = await runDiagnosis(plan);
  io.stdout.write(format === 'json' ? renderJson(findings) : renderText(findings));
  return hasProblems(findings) ? 1 : 0;
}
