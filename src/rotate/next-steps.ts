import { neutralise } from '../text/terminal.ts';
import type { ServerPlan } from './preconditions.ts';
import { persistWhat } from './rotation.ts';
import type { ServerFacts } from './server-facts.ts';
import type { RotationState } from './state-file.ts';

/** What rotate prints around its steps: the servers as found, and what to do next. Pure text over what it knows. */
export function describeServers(user: string, servers: Array<{ facts: ServerFacts; plan: ServerPlan }>): string {
  const lines = servers.map(({ facts: f, plan: p }) => {
    const where = `users in ${p.persist === 'ACL SAVE' ? f.aclfile : f.configFile}`;
    const role = f.role === 'replica' ? `replica${p.masterauth ? ', replicates as this user' : ''}` : 'master';
    const from = p.requirepass ? ', password from requirepass' : '';
    return neutralise(`  ${f.display}: Redis ${f.version}, ${role}, ${where} (${persistWhat(p)})${from}`);
  });
  return `redoubt rotate: the password of "${neutralise(user)}" on\n${lines.join('\n')}\n\n`;
}

/** The note for a server whose default user's password comes from requirepass (what Redis 7.0.15 does). */
const REQUIREPASS_NOTE = [
  '  CONFIG REWRITE has written a `user default … #<sha256> #<sha256>` line with both passwords to its redis.conf, beside',
  '  `requirepass`, which still holds the old password: after a restart the `user default` line wins (both passwords',
  '  work), but CONFIG GET requirepass shows the old one, and a CONFIG SET requirepass by anyone would drop the new one.',
  '  --finish runs CONFIG SET requirepass with the new password (dropping the old) and CONFIG REWRITE: redis.conf then',
  '  holds the new password in `requirepass` (in clear, as requirepass always is) and its hash in the `user default` line.',
];

export function renderNextSteps(
  state: RotationState,
  requirepassServers: string[],
  /** ` --state-file PATH` when it is not the default, else ''. */
  stateFlag: string,
): string {
  const u = neutralise(state.user);
  const where = [state.envFile ? `${state.envFile.key} in ${state.envFile.path}` : '', state.passwordFile?.path ?? '']
    .filter(Boolean)
    .join(', ');
  const lines = [
    '',
    `Both passwords of "${u}" work now. Next:`,
    `  1. Restart or reload every client of "${u}" so it reads the new password (${neutralise(where)}).`,
    '     Connections already open keep working, even after the old password is removed; they need the new one when they reconnect.',
    '     redoubt exporter and redoubt up re-read their --redis.password-file when it changes: no restart for them.',
    '     The next two commands log in as this one did: give them the same --redis.user / REDIS_USER and password.',
    `  2. Watch who may still use the old password:  redoubt rotate --status${stateFlag}`,
    state.graceUntil
      ? `  3. The old password is removed at ${state.graceUntil} (this command waits; Ctrl-C stops waiting, then run redoubt rotate --finish${stateFlag}).`
      : `  3. Remove the old password when they all have the new one:  redoubt rotate --finish${stateFlag}`,
  ];
  for (const display of requirepassServers)
    lines.push(
      '',
      `Note on ${neutralise(display)}: it has no aclfile and the default user's password comes from requirepass.`,
      ...REQUIREPASS_NOTE,
    );
  return `${lines.join('\n')}\n`;
}
