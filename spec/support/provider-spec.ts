// Helpers the provider specs (providers/*/*.spec.ts) and the fault specs (spec/faults/) share:
// waiting without tight timing, ports and servers that do nothing, and boot failures.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { BandmasterError, BootError, type Container, type ErrorKind } from '../../lib';

/** Something a test opens and must close again: a test server, a broker, a real server's handle. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Opens a target, runs `body` with it and closes it, also when `body` fails.
 *
 * @example
 * await withTarget(() => startCassandraTestServer(), async (server) => { ... });
 */
export async function withTarget<T extends Closable>(open: () => Promise<T>, body: (target: T) => Promise<void>): Promise<void> {
  const target = await open();
  try {
    await body(target);
  } finally {
    await target.close();
  }
}

/**
 * Polls `condition` every 10ms until it holds.
 *
 * @throws an AssertionError (`timed out waiting for <what>`) when it still does not hold after `timeoutMs`.
 */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Checks `check` up to 500 times, 20ms apart: about 10s when checks are quick. For state a server
 * reports a little after the client acted (a backend leaving pg_stat_activity, a NATS connection
 * leaving /connz).
 *
 * @throws an AssertionError (`still not true after 10s: <what>`) when it never held.
 */
export async function pollUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`still not true after 10s: ${what}`);
}

/** A port nothing listens on: the OS picked it free, and the listener that got it is closed again. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP server on 127.0.0.1 that accepts connections, and the connections it accepted. */
export interface FakeServer {
  readonly port: number;
  /** Every connection accepted so far. */
  readonly accepted: Socket[];
  /** The first connection accepted. */
  readonly firstConnection: Promise<Socket>;
  /** Destroys the accepted connections and closes the server. */
  close(): Promise<void>;
}

/**
 * A TCP server that accepts connections and hands each to `onConnection`; by default it never
 * answers, so a client's start hangs in its handshake.
 */
export async function fakeServer(onConnection: (socket: Socket) => void = () => undefined): Promise<FakeServer> {
  const accepted: Socket[] = [];
  let first!: (socket: Socket) => void;
  const firstConnection = new Promise<Socket>((resolve) => (first = resolve));
  const server = createServer((socket) => {
    // reading what the client sends lets the socket see the client's close
    socket.resume();
    accepted.push(socket);
    first(socket);
    onConnection(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    for (const socket of accepted) socket.destroy();
    server.close();
    await once(server, 'close');
  };
  return { port, accepted, firstConnection, close };
}

/** TCP sockets this process holds open, whoever opened them. */
export function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
}

/**
 * Awaits a boot that must fail with a {@link BootError} holding exactly one error, and returns that error.
 *
 * @param kind - when given, the kind that one error must have.
 * @throws an AssertionError when the boot succeeds, fails otherwise, or fails for more than one service.
 * @example
 * const error = await bootError(container.startAll(), 'ServiceStartFailure');
 */
export async function bootError(promise: Promise<unknown>, kind?: ErrorKind): Promise<BandmasterError> {
  const error = await promise.then(() => assert.fail('expected the boot to fail'), (e: unknown) => e);
  assert.ok(error instanceof BootError, String(error));
  assert.equal(error.errors.length, 1);
  if (kind !== undefined) assert.equal(error.errors[0]!.kind, kind);
  return error.errors[0]!;
}

/**
 * Runs `run`, which must throw an InvalidConfig {@link BandmasterError}, and returns that error.
 *
 * @throws an AssertionError when `run` returns or throws anything else.
 */
export function invalidConfig(run: () => unknown): BandmasterError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof BandmasterError && error.kind === 'InvalidConfig', String(error));
    return error;
  }
  return assert.fail('expected InvalidConfig');
}

/** Runs `run` with `vars` set in `process.env`, and deletes them again afterwards. */
export function withEnv<T>(vars: Record<string, string>, run: () => T): T {
  Object.assign(process.env, vars);
  try {
    return run();
  } finally {
    for (const key of Object.keys(vars)) delete process.env[key];
  }
}

/** The `name` of an Error or DOMException, or undefined for anything else. */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error || error instanceof DOMException ? error.name : undefined;
}

let seq = 0;

/** A name no other test, and no other test process, uses: `bandmaster-<label>-<pid>-<n>`. */
export function uniqueName(label: string): string {
  return `bandmaster-${label}-${process.pid}-${++seq}`;
}

/** Each service's lifecycle state, by service name. */
export function states(container: Container): Record<string, string> {
  return Object.fromEntries(container.status().map((s) => [s.name, s.state]));
}

/** Connections a Redis server holds under client name `name` (CLIENT LIST), asked through `admin`. */
export async function connectionsNamed(admin: Redis, name: string): Promise<number> {
  const list = (await admin.client('LIST')) as string;
  return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
}
