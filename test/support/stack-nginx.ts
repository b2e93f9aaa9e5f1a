import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTlsBundle } from '../../src/certificates/tls-bundle.ts';
import { DEFAULT_STACK_CONFIG, type StackConfig } from '../../src/config/redoubt-yml.ts';
import { apr1Salt, renderHtpasswd } from '../../src/stack/htpasswd.ts';
import { NGINX_FILES, type NginxRuntime, renderNginxConf } from '../../src/stack/nginx.ts';
import { requireBinary } from './binaries.ts';
import { PortTakenError, saysAddressInUse, withFreePort } from './ports.ts';

/**
 * Debian's nginx running the generated monitoring/nginx/nginx.conf: the same renderer with loopback upstreams, a
 * free port and process files in a temporary directory, next to a certificate from a fresh private CA and an
 * htpasswd made by redoubt's apr1 implementation. When the test runs as root, nginx's workers run as nobody, so the
 * directory is made world-readable (it holds test credentials only); nginx itself chowns its temporary directories.
 */
export interface StackNginx {
  port: number;
  dir: string;
  /** PEM of the CA that signed the server certificate (for localhost and 127.0.0.1). */
  caCert: string;
  user: string;
  password: string;
  logs(): string;
  stop(): Promise<void>;
}

export interface StackNginxOptions {
  upstreams: NginxRuntime['upstreams'];
  config?: StackConfig;
  user?: string;
  password?: string;
}

/** Writes a runnable copy of monitoring/nginx/ into `dir` and returns the runtime and credentials it used. */
export async function writeStackNginx(
  dir: string,
  port: number,
  options: StackNginxOptions,
): Promise<{ runtime: NginxRuntime; caCert: string; user: string; password: string }> {
  const config = options.config ?? DEFAULT_STACK_CONFIG;
  const user = options.user ?? config.proxy.user;
  const password = options.password ?? 'correct-horse-battery-staple-0123456789';
  mkdirSync(join(dir, 'certs'), { recursive: true });
  mkdirSync(join(dir, 'temp'), { recursive: true });
  const runtime: NginxRuntime = {
    listen: `127.0.0.1:${port}`,
    upstreams: options.upstreams,
    pidFile: join(dir, 'nginx.pid'),
    errorLog: join(dir, 'error.log'),
    accessLog: join(dir, 'access.log'),
    tempDir: join(dir, 'temp'),
  };
  const tls = await generateTlsBundle({ names: ['localhost'] });
  writeFileSync(join(dir, 'nginx.conf'), renderNginxConf(config, runtime));
  writeFileSync(join(dir, NGINX_FILES.cert), tls.serverCert);
  writeFileSync(join(dir, NGINX_FILES.key), tls.serverKey, { mode: 0o600 });
  writeFileSync(join(dir, NGINX_FILES.htpasswd), renderHtpasswd([{ user, password, salt: apr1Salt() }]), {
    mode: 0o644,
  });
  for (const d of [dir, join(dir, 'certs'), join(dir, 'temp')]) chmodSync(d, 0o755);
  return { runtime, caCert: tls.caCert, user, password };
}

/** `nginx -t` on a configuration directory written by writeStackNginx. */
export function nginxTest(dir: string): { code: number; output: string } {
  const r = spawnSync(
    requireBinary('nginx'),
    ['-t', '-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
    { encoding: 'utf8', timeout: 30000 },
  );
  return { code: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}

/** GET/POST over TLS, trusting `ca`, from an optional local address (127.0.0.2 is outside the default allowlist). */
export function httpsRequest(
  port: number,
  path: string,
  options: { ca: string; auth?: string; method?: string; localAddress?: string; headers?: Record<string, string> },
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        ca: options.ca,
        servername: 'localhost',
        localAddress: options.localAddress,
        headers: {
          ...(options.auth ? { authorization: `Basic ${Buffer.from(options.auth).toString('base64')}` } : {}),
          ...options.headers,
        },
        timeout: 10000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`https://127.0.0.1:${port}${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Starts nginx in the foreground on a free loopback port with the generated configuration. */
export function startStackNginx(options: StackNginxOptions): Promise<StackNginx> {
  return withFreePort(undefined, (port) => startStackNginxOn(port, options));
}

async function startStackNginxOn(port: number, options: StackNginxOptions): Promise<StackNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-nginx-'));
  const written = await writeStackNginx(dir, port, options);
  const check = nginxTest(dir);
  if (check.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`nginx -t refused the generated configuration:\n${check.output}`);
  }
  const child: ChildProcess = spawn(
    requireBinary('nginx'),
    ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const logs = () => {
    let log = '';
    try {
      log = readFileSync(join(dir, 'error.log'), 'utf8');
    } catch {
      // not written yet
    }
    return `${output}${log}`;
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      await httpsRequest(port, '/healthz', { ca: written.caCert });
      break;
    } catch (err) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const why = logs();
        await stop();
        if (saysAddressInUse(why)) throw new PortTakenError(port, why);
        throw new Error(`nginx did not start on ${port}: ${(err as Error).message}\n${why}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { port, dir, caCert: written.caCert, user: written.user, password: written.password, logs, stop };
}
