/**
 * What a server lets this connection do, learned once per connection so a renamed, forbidden or missing
 * command is not retried (and does not add to the server's error counters) on every scrape.
 */
export interface Capabilities {
  /** The CONFIG command name (renamed via --config-command), or null when CONFIG is unavailable. */
  config: string | null;
  /** CONFIG GET with several parameters at once (Redis 7+); older servers need one CONFIG GET per key. */
  configMultiGet: boolean;
  slowlog: boolean;
  latency: boolean;
  latencyHistogram: boolean;
  clusterInfo: boolean;
  /** major.minor of redis_version, e.g. 7.0; 0 when unknown. */
  version: number;
  /** Human-readable reasons, one per unavailable command, e.g. "CONFIG: NOPERM". */
  unavailable: string[];
}

export function initialCapabilities(configCommand: string | null): Capabilities {
  return {
    config: configCommand,
    configMultiGet: true,
    slowlog: true,
    latency: true,
    latencyHistogram: true,
    clusterInfo: true,
    version: 0,
    unavailable: [],
  };
}

export function parseVersion(v: string | undefined): number {
  const m = /^(\d+)\.(\d+)/.exec(v ?? '');
  return m ? Number(m[1]) + Number(m[2]) / 100 : 0;
}

/** Whether an error reply means "this connection may never run that command" (as opposed to a transient error). */
export function isPermanentCommandError(message: string): boolean {
  return (
    message.startsWith('NOPERM') ||
    /unknown command|unknown subcommand|ERR unknown|wrong number of arguments|command not allowed|disabled/i.test(
      message,
    )
  );
}

/**
 * Reads `COMMAND INFO <names...>` (sent once per connection): a nil entry means the command is renamed or does
 * not exist on this server.
 */
export function applyCommandInfo(
  caps: Capabilities,
  names: Array<keyof Capabilities | 'config'>,
  reply: unknown,
): void {
  if (!Array.isArray(reply)) return;
  names.forEach((name, i) => {
    if (reply[i] !== null && reply[i] !== undefined) return;
    markUnavailable(caps, name, 'not on this server (renamed or missing)');
  });
}

export function markUnavailable(caps: Capabilities, name: string, reason: string): void {
  switch (name) {
    case 'config':
      caps.config = null;
      break;
    case 'slowlog':
      caps.slowlog = false;
      break;
    case 'latency':
      caps.latency = false;
      caps.latencyHistogram = false;
      break;
    case 'latencyHistogram':
      caps.latencyHistogram = false;
      break;
    case 'clusterInfo':
      caps.clusterInfo = false;
      break;
  }
  const label =
    name === 'latencyHistogram' ? 'LATENCY HISTOGRAM' : name === 'clusterInfo' ? 'CLUSTER INFO' : name.toUpperCase();
  const line = `${label}: ${reason}`;
  if (!caps.unavailable.includes(line)) caps.unavailable.push(line);
}
