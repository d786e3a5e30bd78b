// A TCP proxy whose `stall(ms)` stops forwarding in both directions without closing anything, as a
// network cut that heals before TCP gives up does: bytes sent meanwhile wait in the socket buffers
// and arrive after it. (spec/faults/support/servers.ts's TcpProxy `cut()` is the other kind of
// cut: it resets every connection.)
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A stallable proxy to 127.0.0.1:`targetPort`, listening on an ephemeral port. */
export class StallProxy {
  readonly #pairs = new Set<readonly [Socket, Socket]>();
  #server: Server | undefined;
  #stalled = false;
  port = 0;

  constructor(private readonly targetPort: number) {}

  async listen(): Promise<this> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      const pair = [client, upstream] as const;
      this.#pairs.add(pair);
      for (const s of pair) s.on('error', () => undefined);
      client.on('close', () => (upstream.destroy(), this.#pairs.delete(pair)));
      upstream.on('close', () => client.destroy());
      if (!this.#stalled) flow(pair);
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    return this;
  }

  /** Stops forwarding for `ms`, then forwards what was held back; resolves when it flows again. */
  async stall(ms: number): Promise<void> {
    this.#stalled = true;
    for (const [a, b] of this.#pairs) {
      a.unpipe(b);
      b.unpipe(a);
      a.pause();
      b.pause();
    }
    await new Promise((r) => setTimeout(r, ms));
    this.#stalled = false;
    for (const pair of this.#pairs) flow(pair);
  }

  async close(): Promise<void> {
    for (const [a, b] of this.#pairs) {
      a.destroy();
      b.destroy();
    }
    await new Promise((resolve) => this.#server?.close(resolve) ?? resolve(undefined));
  }
}

function flow([a, b]: readonly [Socket, Socket]): void {
  a.pipe(b);
  b.pipe(a);
}
