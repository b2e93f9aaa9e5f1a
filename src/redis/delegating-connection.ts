import type { Command, CommandArg, RedisConnection, Reply } from './connection.ts';

/**
 * A connection that wraps another and changes only what it sends (`pipeline`): everything else goes to the inner
 * connection. `call` is one command through `pipeline`, so a wrapper's rule applies to it too.
 */
export abstract class DelegatingConnection implements RedisConnection {
  constructor(protected readonly inner: RedisConnection) {}

  abstract pipeline(commands: Command[]): Promise<Reply[]>;

  get target() {
    return this.inner.target;
  }
  get generation() {
    return this.inner.generation;
  }
  ready(deadlineMs?: number) {
    return this.inner.ready(deadlineMs);
  }
  isReady() {
    return this.inner.isReady();
  }
  reset() {
    this.inner.reset();
  }
  close() {
    return this.inner.close();
  }

  async call(name: string, ...args: CommandArg[]): Promise<unknown> {
    const [r] = await this.pipeline([[name, ...args]]);
    if (!r.ok) throw r.error;
    return r.value;
  }
}
