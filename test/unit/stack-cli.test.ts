import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { aclPasswordHash, HARDENED_USERS } from '../../src/catalog/acl-users.ts';
import { stackNextSteps } from '../../src/cli/stack.ts';
import { DEFAULT_STACK_CONFIG, parseStackConfig, type StackConfig } from '../../src/config/redoubt-yml.ts';
import { parseEnvFile, STACK_ENV } from '../../src/config/stack-env.ts';
import { apr1Hash } from '../../src/stack/htpasswd.ts';
import { STACK_LAYOUT, stackPaths } from '../../src/stack/layout.ts';
import { MANIFEST_PATH } from '../../src/stack/manifest.ts';
import { renderCommittedFiles } from '../../src/stack/render.ts';
import { runMain } from '../support/redoubt.ts';

const root = mkdtempSync(join(tmpdir(), 'redoubt-stack-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `out${n++}`);

const stack = (args: string[]) => runMain(['stack', ...args]);

const mode = (p: string) => statSync(p).mode & 0o777;
const read = (dir: string, id: keyof typeof STACK_LAYOUT) => readFileSync(join(dir, STACK_LAYOUT[id].path), 'utf8');
/** The local files every run writes (the webhook's password only exists when alertmanager.webhookUrl has one). */
const alwaysLocal = () => stackPaths('local').filter((p) => p !== STACK_LAYOUT.webhookPassword);
const localSnapshot = (dir: string) =>
  Object.fromEntries(alwaysLocal().map((p) => [p.path, readFileSync(join(dir, p.path), 'utf8')]));

function allFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allFiles(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

describe('redoubt stack --out', () => {
  test('writes the committed files and, on this machine, the secrets with their modes', async () => {
    const dir = fresh();
    const r = await stack(['--out', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      allFiles(dir).sort(),
      [
        ...Object.values(STACK_LAYOUT)
          .filter((p) => p !== STACK_LAYOUT.webhookPassword)
          .map((p) => p.path),
        MANIFEST_PATH,
      ].sort(),
      'exactly the layout and the manifest, no temporary files',
    );
    for (const p of Object.values(STACK_LAYOUT))
      if (p !== STACK_LAYOUT.webhookPassword) assert.equal(mode(join(dir, p.path)), p.mode, p.path);
    for (const f of renderCommittedFiles(DEFAULT_STACK_CONFIG)) assert.equal(read(dir, f.id), f.data, f.path);

    const env = parseEnvFile(read(dir, 'env'));
    const acl = read(dir, 'usersAcl');
    const secrets = STACK_ENV.filter((v) => v.secret).map((v) => env[v.name]);
    for (const v of STACK_ENV.filter((x) => x.secret)) assert.match(env[v.name], /^[A-Za-z0-9]{40}$/, v.name);
    assert.equal(new Set(secrets).size, secrets.length, 'every password is different');
    assert.equal(env.GRAFANA_ADMIN_USER, 'admin');
    for (const u of HARDENED_USERS)
      assert.ok(acl.includes(`user ${u} on #${aclPasswordHash(env[`REDIS_${u.toUpperCase()}_PASSWORD`])}`), u);
    const [user, hash] = read(dir, 'htpasswd').trim().split(':');
    assert.equal(user, env.PROXY_AUTH_USER);
    assert.equal(hash, apr1Hash(env.PROXY_AUTH_PASSWORD, hash.split('$')[2]));

    const cert = new X509Certificate(read(dir, 'serverCert'));
    const ca = new X509Certificate(read(dir, 'caCert'));
    assert.ok(cert.verify(ca.publicKey), 'signed by the CA it ships');
    assert.match(String(cert.subjectAltName), /DNS:localhost/);
    assert.match(String(cert.subjectAltName), /IP Address:127\.0\.0\.1/);
    assert.ok(!allFiles(dir).some((f) => f.endsWith('ca.key')), 'the CA key is not kept');

    for (const s of secrets) {
      assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), 'a password was printed');
      for (const f of renderCommittedFiles(DEFAULT_STACK_CONFIG)) assert.ok(!f.data.includes(s));
    }
    assert.match(r.stdout, /docker compose -f .*docker-compose\.monitoring\.yml up -d --build/);
    assert.match(
      r.stdout,
      /curl --cacert .*ca\.crt -u "\$PROXY_AUTH_USER:\$PROXY_AUTH_PASSWORD" -X POST https:\/\/localhost\/prometheus\/-\/reload/,
    );
    assert.match(r.stdout, /alertmanager\.webhookUrl/);
    assert.match(r.stdout, /add \.env to .*\.gitignore/);
  });

  test('a second run keeps every secret, reports it, and regenerates the configuration from redoubt.yml', async () => {
    const dir = fresh();
    assert.equal((await stack(['--out', dir])).code, 0);
    const before = localSnapshot(dir);
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\n.env\n');
    const cfg = join(dir, 'redoubt.yml');
    writeFileSync(
      cfg,
      'alertmanager: { webhookUrl: "https://hooks.example.internal/alerts" }\nprometheus: { retention: 30d }\n',
    );
    const r = await stack(['--out', dir, '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(localSnapshot(dir), before, 'secrets untouched');
    for (const p of alwaysLocal()) assert.match(r.stdout, new RegExp(`kept\\s+${p.path.replaceAll('.', '\\.')}\\s`));
    assert.match(r.stdout, /wrote\s+monitoring\/alertmanager\/alertmanager\.yml/);
    assert.match(r.stdout, /unchanged\s+monitoring\/nginx\/nginx\.conf/);
    assert.match(read(dir, 'alertmanager'), /url: https:\/\/hooks\.example\.internal\/alerts/);
    assert.match(read(dir, 'compose'), /--storage\.tsdb\.retention\.time=30d/);
    assert.doesNotMatch(r.stdout, /alerts go nowhere|add \.env/);
  });

  test("the user's own Dockerfile and .dockerignore and a hand-edited alert.rules are kept and reported; --force replaces them", async () => {
    const dir = fresh();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(dir, '.dockerignore'), 'secrets/\n');
    const first = await stack(['--out', dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(readFileSync(join(dir, 'Dockerfile'), 'utf8'), 'FROM scratch\n');
    assert.equal(readFileSync(join(dir, '.dockerignore'), 'utf8'), 'secrets/\n');
    assert.match(
      first.stdout,
      /kept\s+Dockerfile\s+changed since redoubt stack wrote it, or not written by it.*--force replaces it/,
    );
    assert.equal(read(dir, 'dockerfile').length > 0, true);
    assert.equal(
      readFileSync(join(dir, 'Dockerfile.redoubt-new'), 'utf8'),
      renderCommittedFiles(DEFAULT_STACK_CONFIG).find((f) => f.id === 'dockerfile')?.data,
    );

    const rules = join(dir, STACK_LAYOUT.alertRules.path);
    const edited = `${readFileSync(rules, 'utf8')}# my own rule\n`;
    writeFileSync(rules, edited);
    const cfg = join(dir, 'redoubt.yml');
    writeFileSync(cfg, 'prometheus: { retention: 30d }\n');
    const second = await stack(['--out', dir, '--config', cfg]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(readFileSync(rules, 'utf8'), edited, 'the edited rules survive a re-run');
    assert.match(second.stdout, /kept\s+monitoring\/prometheus\/alert\.rules\s+changed since/);
    assert.match(read(dir, 'compose'), /retention\.time=30d/, 'a file redoubt wrote and nobody changed is regenerated');

    const forced = await stack(['--out', dir, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(
      read(dir, 'dockerfile'),
      renderCommittedFiles(DEFAULT_STACK_CONFIG).find((f) => f.id === 'dockerfile')?.data,
    );
    assert.notEqual(readFileSync(rules, 'utf8'), edited);
  });

  test('a new proxy.publicUrl: a certificate for the new name, the passwords kept', async () => {
    const dir = fresh();
    assert.equal((await stack(['--out', dir])).code, 0);
    const env = read(dir, 'env');
    const acl = read(dir, 'usersAcl');
    const cfg = join(dir, 'redoubt.yml');
    writeFileSync(cfg, 'proxy: { publicUrl: "https://mon.example.internal" }\n');
    const r = await stack(['--out', dir, '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    const cert = new X509Certificate(read(dir, 'serverCert'));
    assert.match(String(cert.subjectAltName), /DNS:mon\.example\.internal/);
    assert.ok(cert.verify(new X509Certificate(read(dir, 'caCert')).publicKey));
    assert.match(r.stdout, /did not name mon\.example\.internal .*passwords kept/);
    assert.equal(read(dir, 'env'), env);
    assert.equal(read(dir, 'usersAcl'), acl);
    const again = await stack(['--out', dir, '--config', cfg]);
    assert.match(again.stdout, /kept\s+monitoring\/nginx\/certs\/server\.crt/, 'a matching certificate is kept');
  });

  test('symbolic links where a file or a directory goes: refused with one line, exit 2, nothing written through them', async () => {
    const dir = fresh();
    const elsewhere = fresh();
    mkdirSync(dir, { recursive: true });
    mkdirSync(elsewhere, { recursive: true });
    symlinkSync(elsewhere, join(dir, 'monitoring'));
    const r = await stack(['--out', dir]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /monitoring is a symbolic link; redoubt never writes through one/);
    assert.deepEqual(readdirSync(elsewhere), []);

    const dir2 = fresh();
    mkdirSync(dir2, { recursive: true });
    const victim = join(elsewhere, 'victim');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir2, 'Dockerfile'));
    const r2 = await stack(['--out', dir2, '--force']);
    assert.equal(r2.code, 2, r2.stdout);
    assert.match(r2.stderr, /Dockerfile is a symbolic link/);
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
  });

  test("the webhook's credentials: basic auth from a 0600 local file, never in alertmanager.yml", async () => {
    const dir = fresh();
    mkdirSync(dir, { recursive: true });
    const cfg = join(dir, 'redoubt.yml');
    writeFileSync(cfg, 'alertmanager: { webhookUrl: "https://alerts:t0p%2Fsecret@hooks.example.internal/a" }\n');
    const r = await stack(['--out', dir, '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    const am = read(dir, 'alertmanager');
    assert.doesNotMatch(am, /t0p/);
    assert.match(am, /url: https:\/\/hooks\.example\.internal\/a/);
    assert.match(am, /username: alerts/);
    assert.match(am, /password_file: \/etc\/alertmanager\/webhook-password/);
    assert.equal(read(dir, 'webhookPassword'), 't0p/secret');
    assert.equal(mode(join(dir, STACK_LAYOUT.webhookPassword.path)), 0o600);
    assert.doesNotMatch(r.stdout, /t0p/);
    assert.match(r.stdout, /sudo chown 65534 .*webhook-password/);
  });

  test('files derived from .env that went missing are made again from it', async () => {
    const dir = fresh();
    assert.equal((await stack(['--out', dir])).code, 0);
    const env = parseEnvFile(read(dir, 'env'));
    const acl = read(dir, 'usersAcl');
    const key = read(dir, 'serverKey');
    unlinkSync(join(dir, STACK_LAYOUT.usersAcl.path));
    unlinkSync(join(dir, STACK_LAYOUT.htpasswd.path));
    const r = await stack(['--out', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(read(dir, 'usersAcl'), acl);
    const hash = read(dir, 'htpasswd').trim().split(':')[1];
    assert.equal(hash, apr1Hash(env.PROXY_AUTH_PASSWORD, hash.split('$')[2]));
    assert.equal(read(dir, 'serverKey'), key);
  });

  test('--force replaces every secret', async () => {
    const dir = fresh();
    assert.equal((await stack(['--out', dir])).code, 0);
    const before = localSnapshot(dir);
    const r = await stack(['--out', dir, '--force']);
    assert.equal(r.code, 0, r.stderr);
    const afterForce = localSnapshot(dir);
    for (const p of alwaysLocal()) assert.notEqual(afterForce[p.path], before[p.path], p.path);
  });

  test('refuses, without writing, where kept secrets would no longer match', async () => {
    const dir = fresh();
    assert.equal((await stack(['--out', dir])).code, 0);
    const envPath = join(dir, '.env');
    const full = readFileSync(envPath, 'utf8');
    writeFileSync(envPath, full.replace(/^PROXY_AUTH_PASSWORD=.*$/m, 'PROXY_AUTH_PASSWORD='));
    let r = await stack(['--out', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /lacks PROXY_AUTH_PASSWORD.*--force/);

    unlinkSync(envPath);
    const acl = read(dir, 'usersAcl');
    r = await stack(['--out', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /users\.acl and .*htpasswd exist but .*\.env does not.*--force/);
    assert.equal(read(dir, 'usersAcl'), acl);

    const other = fresh();
    assert.equal((await stack(['--out', other])).code, 0);
    unlinkSync(join(other, STACK_LAYOUT.serverCert.path));
    r = await stack(['--out', other]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /exist without the rest of .*certs.*--force/);
  });

  test('usage and configuration errors exit 2 and say what to change', async () => {
    let r = await stack([]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /pass --out DIR/);
    const dir = fresh();
    r = await stack(['--out', dir, '--config', join(dir, 'missing.yml')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read --config .*missing\.yml: no such file/);
    const cfg = join(root, `bad${n++}.yml`);
    writeFileSync(cfg, 'proxy:\n  allow: [10.0.0.0/8, everyone]\n');
    r = await stack(['--out', dir, '--config', cfg]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\d+\.yml: proxy\.allow\[1\] "everyone" is not an IP address or CIDR/);
    r = await stack(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: redoubt stack --out DIR/);
  });
});

const README = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');

/** README.md's "Monitoring stack" section, up to the next top-level heading. */
function stackSection(readme: string): string {
  const start = readme.indexOf('\n## Monitoring stack\n');
  assert.ok(start >= 0, 'README.md has a "Monitoring stack" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The lines of the fenced blocks of one language in `text`, without the fence's indentation (blocks may sit in a list). */
function fenced(text: string, lang: string): string[][] {
  const blocks: string[][] = [];
  let block: string[] | undefined;
  let indent = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (block === undefined && line === `\`\`\`${lang}`) {
      block = [];
      indent = raw.indexOf('`');
    } else if (block !== undefined && line === '```') {
      blocks.push(block);
      block = undefined;
    } else block?.push(raw.slice(indent));
  }
  return blocks;
}

/** Which of `commands` the section's shell blocks lack, or run out of order. */
function missingOrMisplaced(section: string, commands: string[]): string[] {
  const lines = fenced(section, 'sh')
    .flat()
    .map((l) => l.trim());
  const wrong: string[] = [];
  let at = -1;
  for (const c of commands) {
    const i = lines.indexOf(c, at + 1);
    if (i < 0) wrong.push(lines.includes(c) ? `${c} (out of order)` : c);
    else at = i;
  }
  return wrong;
}

describe('README.md "Monitoring stack" runs what `redoubt stack` prints', () => {
  const section = stackSection(readFileSync(README, 'utf8'));
  const yaml = fenced(section, 'yaml');
  assert.equal(yaml.length, 1, 'one redoubt.yml example');
  const config: StackConfig = parseStackConfig(yaml[0].join('\n'), 'README.md');

  test("its redoubt.yml example is valid, and every next step's command is in its shell blocks, in order", async () => {
    const dir = mkdtempSync(join(root, 'readme-'));
    const cfg = join(dir, 'redoubt.yml');
    writeFileSync(cfg, yaml[0].join('\n'));
    // The README works at the root of the checkout with --out .: print the steps from there.
    const cwd = process.cwd();
    process.chdir(dir);
    let r: Awaited<ReturnType<typeof stack>>;
    try {
      r = await stack(['--out', '.', '--config', cfg]);
    } finally {
      process.chdir(cwd);
    }
    assert.equal(r.code, 0, r.stderr);
    const printed = r.stdout.slice(r.stdout.indexOf('Next steps:'));
    const commands = stackNextSteps(config).flatMap((step) => step.run);
    assert.ok(commands.length >= 6);
    for (const c of commands)
      assert.ok(
        printed.split('\n').some((l) => l.trim() === c),
        `not printed: ${c}`,
      );
    assert.deepEqual(missingOrMisplaced(section, commands), [], 'README.md differs from the next steps');
    for (const step of ['users.acl', 'redis-secure.conf', 'up -d --build', 'ca.crt'])
      assert.ok(
        commands.some((c) => c.includes(step)),
        step,
      );
  });

  test('the check is not vacuous: a README that drifted from the next steps fails it', () => {
    const commands = stackNextSteps(config).flatMap((step) => step.run);
    assert.deepEqual(missingOrMisplaced(section.replace(' up -d --build', ' up -d'), commands), [
      'docker compose -f docker-compose.monitoring.yml up -d --build',
    ]);
    const [first, second] = commands;
    const swapped = section.replace(first, '\u0000').replace(second, first).replace('\u0000', second);
    assert.deepEqual(missingOrMisplaced(swapped, commands), [`${second} (out of order)`]);
  });

  test('its redoubt.yml table has every key the generator accepts, with its default', () => {
    const show = (v: unknown) => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));
    const rows = new Map(
      [...section.matchAll(/^\| `([a-z]+\.[A-Za-z]+)` \| `([^`]*)` \|/gm)].map((m) => [m[1], m[2]] as const),
    );
    const keys: string[] = [];
    for (const [sectionName, body] of Object.entries(DEFAULT_STACK_CONFIG))
      for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
        const name = `${sectionName}.${key}`;
        keys.push(name);
        assert.equal(rows.get(name), show(value), `README's redoubt.yml table: ${name}`);
      }
    assert.deepEqual([...rows.keys()].sort(), keys.sort(), 'no key in the table that the generator does not take');
    // Every key in the table is accepted: an unknown one would be an error.
    for (const name of keys) {
      const [sec, key] = name.split('.');
      const value = (DEFAULT_STACK_CONFIG as unknown as Record<string, Record<string, unknown>>)[sec][key];
      parseStackConfig(`${sec}:\n  ${key}: ${JSON.stringify(value)}\n`, 'table');
    }
  });
});
