/**
 * A wire-level Kafka test broker: a TCP server speaking the real Kafka
 * protocol (int32 size framing, request header v1/v2) that answers just
 * enough for kafkajs admin.connect(), admin.describeCluster() and
 * producer.connect(), and for a @platformatic/kafka producer and group
 * consumer (produce, fetch, consumer groups, committed offsets) on the
 * topics it is started with, with injectable faults.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { FrameDecoder, KafkaReader, frameResponse } from './kafka/codec';
import { handleRequest, readRequestHeader, type BrokerIdentity, type HandlerContext } from './kafka/handlers';
import { BrokerState } from './kafka/state';

export { ApiKey, ErrorCode } from './kafka/handlers';

/** Node id the test broker advertises for itself and as the controller. */
export const KAFKA_TEST_BROKER_NODE_ID = 1;

/** Cluster id the test broker reports in Metadata v2+. */
export const KAFKA_TEST_BROKER_CLUSTER_ID = 'bandmaster-kafka-test-broker';

/** Options for {@link startKafkaTestBroker}. */
export interface KafkaTestBrokerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind and advertise in Metadata; defaults to 127.0.0.1. */
  host?: string;
  /** Topics the broker hosts, one partition each, empty at start; by default none (Metadata answers UNKNOWN_TOPIC_OR_PARTITION). */
  topics?: readonly string[];
  faults?: {
    /** Delay every response by this many milliseconds. */
    delayMs?: number;
    /** Accept connections, then destroy each one on its first request. */
    dropConnections?: boolean;
    /** Answer Metadata with this Kafka error code on every topic entry. */
    errorCode?: number;
  };
}

/** A running test broker. */
export interface KafkaTestBroker {
  readonly host: string;
  readonly port: number;
  /** 'host:port', ready for kafkajs `brokers`. */
  readonly broker: string;
  /** Client connections currently open. */
  readonly connections: number;
  /** API keys of every request received, in arrival order. */
  readonly apiKeys: readonly number[];
  /** Replaces the active faults; undefined clears them. Applies to requests received afterwards. */
  setFaults(f: KafkaTestBrokerOptions['faults']): void;
  /** Destroys open connections, cancels delayed responses and stops listening. */
  close(): Promise<void>;
}

type Faults = NonNullable<KafkaTestBrokerOptions['faults']>;

class TestBroker implements KafkaTestBroker {
  readonly #server: Server;
  readonly #identity: BrokerIdentity;
  readonly #state: BrokerState;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #apiKeys: number[] = [];
  #faults: Faults;
  #producerId = 1000n;
  #closing: Promise<void> | undefined;

  constructor(server: Server, identity: BrokerIdentity, options: KafkaTestBrokerOptions) {
    this.#server = server;
    this.#identity = identity;
    this.#state = new BrokerState(options.topics ?? []);
    const faults = options.faults;
    this.#faults = { ...faults };
    server.on('connection', (socket) => this.#accept(socket));
  }

  get host(): string {
    return this.#identity.host;
  }

  get port(): number {
    return this.#identity.port;
  }

  get broker(): string {
    return `${this.host}:${this.port}`;
  }

  get connections(): number {
    return this.#sockets.size;
  }

  get apiKeys(): readonly number[] {
    return [...this.#apiKeys];
  }

  setFaults(f: KafkaTestBrokerOptions['faults']): void {
    this.#faults = { ...f };
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
      this.#state.close();
      for (const socket of this.#sockets) socket.destroy();
      this.#server.close(() => resolve());
    });
    return this.#closing;
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => this.#sockets.delete(socket));
    // Client resets are expected when faults fire; 'close' does the bookkeeping.
    socket.on('error', () => undefined);
    const decoder = new FrameDecoder();
    // Kafka answers requests on one connection in order, so responses are chained.
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) {
          if (socket.destroyed) break;
          const delayMs = this.#faults.delayMs ?? 0;
          const response = this.#respond(socket, frame);
          if (response) queue = queue.then(async () => this.#send(socket, await response, delayMs));
        }
      } catch {
        socket.destroy();
      }
    });
  }

  /** Decodes one request and returns the framed response (a promise while a Fetch waits), or null after closing the socket. */
  #respond(socket: Socket, frame: Buffer): Buffer | Promise<Buffer> | null {
    const reader = new KafkaReader(frame);
    const header = readRequestHeader(reader);
    this.#apiKeys.push(header.apiKey);
    if (this.#faults.dropConnections) {
      socket.destroy();
      return null;
    }
    const result = handleRequest(header, reader, this.#context(header.clientId ?? ''));
    if (!result) {
      socket.destroy();
      return null;
    }
    const { body, headerVersion } = result;
    return Buffer.isBuffer(body) ? frameResponse(header.correlationId, headerVersion, body) : body.then((b) => frameResponse(header.correlationId, headerVersion, b));
  }

  #context(clientId: string): HandlerContext {
    return {
      identity: this.#identity,
      state: this.#state,
      clientId,
      metadataErrorCode: this.#faults.errorCode,
      nextProducerId: () => this.#producerId++,
    };
  }

  async #send(socket: Socket, response: Buffer, delayMs: number): Promise<void> {
    if (delayMs > 0) await this.#sleep(delayMs);
    if (!socket.destroyed) socket.write(response);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }
}

/**
 * Starts a single-node Kafka test broker listening on `host:port`
 * (127.0.0.1 and a free port by default). It advertises itself as node
 * {@link KAFKA_TEST_BROKER_NODE_ID}, the controller, and hosts the topics
 * in `options.topics` (none by default).
 */
export function startKafkaTestBroker(options: KafkaTestBrokerOptions = {}): Promise<KafkaTestBroker> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`test broker bound to unexpected address ${String(address)}`));
        return;
      }
      const identity = { nodeId: KAFKA_TEST_BROKER_NODE_ID, host, port: address.port, clusterId: KAFKA_TEST_BROKER_CLUSTER_ID };
      resolve(new TestBroker(server, identity, options));
    });
  });
}
