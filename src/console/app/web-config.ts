/**
 * The console's listener, from the flags of `redoubt up`: TLS (given files or self-signed), the IP allowlist, and
 * the first admin's password (REDOUBT_ADMIN_PASSWORD). Checked before anything starts.
 */
import type { FlagValues } from '../../flags/flags.ts';
import { UsageError } from '../../flags/flags.ts';
import { passwordProblem } from '../auth/password-hash.ts';
import { checkGivenTlsFiles } from '../tls/given-files.ts';
import { AllowListError, buildAllowList } from './allowlist.ts';

/** The console's listener: TLS (given files or self-signed), the IP allowlist, the first admin's password. */
export interface WebConfig {
  tlsCertFile?: string;
  tlsKeyFile?: string;
  selfSigned: boolean;
  allow: string[];
  adminPassword?: string;
  /** Where the built pages are, when not dist/web (--web.pages-dir, for developing them). */
  pagesDir?: string;
}

export function webConfig(v: FlagValues, env: NodeJS.ProcessEnv): WebConfig {
  const tlsCertFile = String(v['web.tls-cert-file'] ?? '') || undefined;
  const tlsKeyFile = String(v['web.tls-key-file'] ?? '') || undefined;
  const selfSigned = v['web.self-signed'] === true;
  if (selfSigned && (tlsCertFile || tlsKeyFile))
    throw new UsageError('--web.self-signed and --web.tls-cert-file/--web.tls-key-file exclude each other: pick one');
  checkGivenTlsFiles(tlsCertFile, tlsKeyFile);
  const allow = (v['web.allow'] as string[] | undefined) ?? [];
  try {
    buildAllowList(allow);
  } catch (err) {
    if (err instanceof AllowListError) throw new UsageError(err.message);
    throw err;
  }
  const adminPassword = env.REDOUBT_ADMIN_PASSWORD;
  if (adminPassword !== undefined) {
    const problem = passwordProblem(adminPassword);
    if (problem) throw new UsageError(`REDOUBT_ADMIN_PASSWORD: ${problem}`);
  }
  return {
    tlsCertFile,
    tlsKeyFile,
    selfSigned,
    allow,
    adminPassword,
    pagesDir: String(v['web.pages-dir'] ?? '') || undefined,
  };
}
