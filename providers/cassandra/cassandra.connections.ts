import type { Socket } from 'node:net';

/** The part of a cassandra-driver connection this module touches. */
interface DriverConnection {
  readonly netClient?: Socket;
}

type LogEmitter = (this: unknown, event: string, level: string, className: string, message: string, furtherInfo?: unknown) => void;

/**
 * Remembers every connection a cassandra-driver client opens until it is connected, so that a
 * cancelled or failed start can close them all.
 *
 * Why this exists: `client.shutdown()` is a no-op while `connect()` runs, and a `connect()` that
 * fails after the STARTUP handshake leaves its control connection open. The driver has no public
 * hook for either, but it calls `options.logEmitter` as a method of the object that logs, and
 * every connection logs before it opens its socket. If a driver version stops doing so, nothing is
 * tracked and teardown falls back to `shutdown()` once `connect()` settles.
 */
export class ConnectionTracker {
  readonly #connections = new Set<DriverConnection>();
  #tracking = true;
  #abortReason: Error | undefined;

  /** A `logEmitter` client option that records connections and forwards every log event to `emit`. */
  logEmitter(emit: (event: string, ...args: unknown[]) => void): LogEmitter {
    const track = (connection: DriverConnection): void => this.#track(connection);
    return function (this: unknown, event, level, className, message, furtherInfo) {
      if (className === 'Connection' && typeof this === 'object' && this !== null) track(this as DriverConnection);
      emit(event, level, className, message, furtherInfo);
    };
  }

  /** The client is connected: from now on it owns its connections (reconnects included). */
  release(): void {
    this.#tracking = false;
    this.#connections.clear();
  }

  /**
   * Destroys the socket of every tracked connection with `reason`, which makes a running
   * `connect()` fail fast through the driver's own error paths; connections opened after this
   * call are destroyed as they appear.
   */
  destroyAll(reason: Error): void {
    this.#abortReason ??= reason;
    for (const connection of this.#connections) destroy(connection, reason);
  }

  #track(connection: DriverConnection): void {
    if (!this.#tracking || this.#connections.has(connection)) return;
    this.#connections.add(connection);
    const reason = this.#abortReason;
    // the connection logs "Connecting to" just before it creates its socket
    if (reason) queueMicrotask(() => destroy(connection, reason));
  }
}

function destroy(connection: DriverConnection, reason: Error): void {
  const socket = connection.netClient;
  if (!socket || socket.destroyed) return;
  // the driver listens for errors in every phase it knows; this covers the ones it does not
  if (socket.listenerCount('error') === 0) socket.once('error', () => undefined);
  socket.destroy(reason);
}
