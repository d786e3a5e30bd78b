// Private servers for the fault specs: they are stopped and started by the tests, so they never
// touch the shared servers other specs use. Everything listens on 127.0.0.1 only.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A free TCP port on 127.0.0.1 (free when asked: the caller binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on `port`; rejects after `ms`. */
export async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms}ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A server process of our own on a fixed port, that can be killed and started again. */
export class PrivateServer {
  #child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly command: string,
    private readonly args: readonly string[],
  ) {}

  /** A private redis-server without persistence. */
  static redis(port: number, extra: readonly string[] = []): PrivateServer {
    return new PrivateServer(port, 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra]);
  }

  /** A private nats-server. */
  static nats(port: number, extra: readonly string[] = []): PrivateServer {
    return new PrivateServer(port, process.env['NATS_SERVER'] ?? '/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), ...extra]);
  }

  async start(): Promise<void> {
    if (this.#child) return;
    const child = spawn(this.command, this.args, { stdio: 'ignore' });
    this.#child = child;
    const failed = new Promise<never>((_, reject) => child.once('error', reject));
    await Promise.race([waitForPort(this.port), failed]);
  }

  /** Kills the server at once (SIGKILL: a crash, not a graceful shutdown) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

/**
 * A TCP proxy in front of a shared server: `cut()` closes its port and drops every connection (the
 * server looks dead to its clients), `restore()` opens it again. The shared server is untouched.
 */
export class TcpProxy {
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;

  constructor(
    readonly port: number,
    private readonly targetPort: number,
  ) {}

  restore(): Promise<void> {
    if (this.#server) return Promise.resolve();
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  /** Connections currently proxied. */
  get connections(): number {
    return this.#sockets.size / 2;
  }
}
