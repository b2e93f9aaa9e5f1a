import { envName, HARDENED_USERS, type HardenPasswords, renderUsersAcl } from '../catalog/acl-users.ts';
import { buildAlerts } from '../catalog/alerts.ts';
import { renderDashboardJson } from '../catalog/render-dashboard.ts';
import { renderAlertRules } from '../catalog/render-rules.ts';
import type { StackConfig } from '../config/redoubt-yml.ts';
import { PROXY_AUTH_PASSWORD, renderEnvExample, renderStackEnv, type StackEnv } from '../config/stack-env.ts';
import { renderAlertmanagerConfig } from './alertmanager.ts';
import { renderCompose } from './compose.ts';
import { renderDockerfile, renderDockerignore } from './dockerfile.ts';
import { renderGrafanaDashboardProvider, renderGrafanaDatasource } from './grafana.ts';
import { renderHtpasswd } from './htpasswd.ts';
import { renderMonitoringGitignore, STACK_LAYOUT, type StackFileId } from './layout.ts';
import { renderNginxConf } from './nginx.ts';
import { renderPrometheusConfig } from './prometheus.ts';
import { renderStackRedisConf } from './redis.ts';

export interface StackFile {
  id: StackFileId;
  path: string;
  data: string;
  mode: number;
  what: string;
}

function file(id: StackFileId, data: string): StackFile {
  const p = STACK_LAYOUT[id];
  return { id, path: p.path, data, mode: p.mode, what: p.what };
}

/** The files without secrets, as the repository commits them for the default configuration. Pure. */
export function renderCommittedFiles(config: StackConfig): StackFile[] {
  return [
    file('compose', renderCompose(config)),
    file('dockerfile', renderDockerfile()),
    file('dockerignore', renderDockerignore()),
    file('envExample', renderEnvExample(config)),
    file('gitignore', renderMonitoringGitignore()),
    file('prometheus', renderPrometheusConfig(config)),
    file('alertRules', renderAlertRules(buildAlerts())),
    file('alertmanager', renderAlertmanagerConfig(config)),
    file('grafanaDatasource', renderGrafanaDatasource()),
    file('grafanaDashboards', renderGrafanaDashboardProvider()),
    file('grafanaDashboard', renderDashboardJson()),
    file('nginx', renderNginxConf(config)),
    file('redisConf', renderStackRedisConf(config)),
  ];
}

/** PEM text of nginx's certificate, its key and the CA that signed it. */
export interface StackTls {
  caCert: string;
  serverCert: string;
  serverKey: string;
}

/** The generated secrets a user's machine gets; random values are made by the caller, so this stays pure. */
export interface StackSecrets {
  /** Every secret variable of STACK_ENV. */
  passwords: StackEnv;
  htpasswdSalt: string;
  tls: StackTls;
}

export function redisPasswords(passwords: StackEnv): HardenPasswords {
  return Object.fromEntries(HARDENED_USERS.map((u) => [u, passwords[envName(u)]])) as HardenPasswords;
}

export function renderEnvFile(config: StackConfig, passwords: StackEnv): StackFile {
  return file('env', renderStackEnv(config, passwords));
}

export function renderUsersAclFile(passwords: StackEnv): StackFile {
  return file('usersAcl', renderUsersAcl(redisPasswords(passwords)));
}

export function renderHtpasswdFile(config: StackConfig, passwords: StackEnv, salt: string): StackFile {
  return file(
    'htpasswd',
    renderHtpasswd([{ user: config.proxy.user, password: passwords[PROXY_AUTH_PASSWORD], salt }]),
  );
}

/** The webhook's password alone (no newline: Alertmanager reads the file's whole content). */
export function renderWebhookPasswordFile(password: string): StackFile {
  return file('webhookPassword', password);
}

export function renderTlsFiles(tls: StackTls): StackFile[] {
  return [file('caCert', tls.caCert), file('serverCert', tls.serverCert), file('serverKey', tls.serverKey)];
}

/** Every local (never committed) file, from one set of secrets. */
export function renderLocalFiles(config: StackConfig, secrets: StackSecrets): StackFile[] {
  return [
    renderEnvFile(config, secrets.passwords),
    renderUsersAclFile(secrets.passwords),
    renderHtpasswdFile(config, secrets.passwords, secrets.htpasswdSalt),
    ...renderTlsFiles(secrets.tls),
  ];
}
