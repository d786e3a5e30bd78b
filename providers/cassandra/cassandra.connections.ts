import type { Socket } from 'node:net';

/** The part of a cassandra-driver connection this module touches. */
interface DriverConnection {
  readonly netClient?: Socket;
}

type LogEmitter = (this: unknown, event: string, level: string, className: string, message: string, furtherInfo?: unknown) => void;

/**
 * Remembers the open connections of one cassandra-driver client, so that a cancelled or failed
 * start, and stop, can close whatever the driver leaves open.
 *
 * Why this exists: `client.shutdown()` is a no-op while `connect()` runs; a `connect()` that fails
 * after the STARTUP handshake leaves its control connection open; and after a reconnect the
 * control connection can fall out of the pools that `shutdown()` closes, keeping the process alive
 * with its heartbeats. The driver has no public hook for any of these, but it calls
 * `options.logEmitter` as a method of the object that logs, and every connection logs before it
 * opens its socket. If a driver version stops doing so, nothing is tracked and only
 * `shutdown()` runs.
 */
export class ConnectionTracker {
  readonly #connections = new Set<DriverConnection>();
  #closedReason: Error | undefined;

  /** A `logEmitter` client option that records connections and forwards every log event to `emit`. */
  logEmitter(emit: (event: string, ...args: unknown[]) => void): LogEmitter {
    const track = (connection: DriverConnection): void => this.#track(connection);
    return function (this: unknown, event, level, className, message, furtherInfo) {
      if (className === 'Connection' && typeof this === 'object' && this !== null) track(this);
      emit(event, level, className, message, furtherInfo);
    };
  }

  /**
   * Destroys the socket of every open connection with `reason`, which makes a running `connect()`
   * fail fast through the driver's own error paths; connections opened after this call are
   * destroyed as they appear.
   */
  destroyAll(reason: Error): void {
    this.#closedReason ??= reason;
    for (const connection of this.#connections) destroy(connection, reason);
    this.#connections.clear();
  }

  #track(connection: DriverConnection): void {
    if (this.#connections.has(connection)) return;
    // forget closed connections, so a long-lived client that reconnects often holds only open ones
    for (const known of this.#connections) if (known.netClient?.destroyed) this.#connections.delete(known);
    this.#connections.add(connection);
    const reason = this.#closedReason;
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
