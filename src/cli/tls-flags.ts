import type { FlagSpec, FlagValues } from '../flags/flags.ts';
import type { TlsOptions } from '../redis/connection.ts';
import { checkClientTlsFiles } from '../redis/tls-files.ts';

/** The flags for reaching a rediss:// server, shared by the commands that connect to one (audit, harden). */
export const CLIENT_TLS_FLAGS: FlagSpec[] = [
  { name: 'tls-ca-cert-file', type: 'string', default: '', help: 'CA certificate to verify a rediss:// server with.' },
  { name: 'tls-client-cert-file', type: 'string', default: '', help: 'Client certificate for mutual TLS.' },
  { name: 'tls-client-key-file', type: 'string', default: '', help: 'Client key for mutual TLS.' },
  { name: 'tls-server-name', type: 'string', default: '', help: 'Name to verify the server certificate against.' },
  {
    name: 'skip-tls-verification',
    type: 'bool',
    default: false,
    help: 'Do not verify the server certificate (testing only).',
  },
];

/** The TLS options those flags give, the files checked first (a TlsFileError, a ConfigError: exit 2, names the flag). */
export function clientTlsFromFlags(values: FlagValues): TlsOptions {
  const tls = {
    caFile: String(values['tls-ca-cert-file'] || '') || undefined,
    certFile: String(values['tls-client-cert-file'] || '') || undefined,
    keyFile: String(values['tls-client-key-file'] || '') || undefined,
    serverName: String(values['tls-server-name'] || '') || undefined,
    skipVerify: values['skip-tls-verification'] === true,
  };
  checkClientTlsFiles(tls);
  return tls;
}
