/**
 * Passwords in slowlog entries hidden as Redis 6.2+ hides them itself (`(redacted)`), for servers that do not:
 * older versions logged AUTH, HELLO … AUTH, CONFIG SET requirepass, ACL SETUSER >password and MIGRATE … AUTH with
 * their arguments. The console shows slowlogs to viewers, so a password must not reach them whatever the server
 * sent. Pure over the argument list.
 */

export const REDACTED_ARG = '(redacted)';
const SECRET_CONFIGS = new Set(['requirepass', 'masterauth']);

function hideFrom(args: string[], from: number, keep: (arg: string, i: number) => boolean = () => false): string[] {
  return args.map((a, i) => (i >= from && !keep(a, i) && a !== REDACTED_ARG ? REDACTED_ARG : a));
}

export function redactSlowlogCommand(args: string[]): string[] {
  const name = (args[0] ?? '').toLowerCase();
  const sub = (args[1] ?? '').toLowerCase();
  if (name === 'auth') return hideFrom(args, 1);
  if (name === 'hello') {
    const at = args.findIndex((a, i) => i > 1 && a.toLowerCase() === 'auth');
    return at < 0 ? args : args.map((a, i) => (i === at + 2 ? REDACTED_ARG : a));
  }
  if (name === 'config' && sub === 'set')
    return args.map((a, i) =>
      i >= 3 && i % 2 === 1 && SECRET_CONFIGS.has(args[i - 1].toLowerCase()) ? REDACTED_ARG : a,
    );
  if (name === 'acl' && sub === 'setuser') return hideFrom(args, 3, (a) => !/^[><#!]/.test(a));
  if (name === 'migrate') {
    const at = args.findIndex((a, i) => i > 5 && /^auth2?$/i.test(a));
    if (at < 0) return args;
    const secrets = args[at].toLowerCase() === 'auth2' ? 2 : 1;
    return args.map((a, i) => (i > at && i <= at + secrets ? REDACTED_ARG : a));
  }
  return args;
}
