/**
 * Launches librdkafka's in-process mock Kafka cluster through kcat so tests
 * can run real Kafka clients without a broker or Docker.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** A running mock cluster owned by a kcat child process. */
export interface KafkaMockCluster {
  /** Bootstrap addresses ('127.0.0.1:port'), one per mock broker. */
  readonly brokers: string[];
  /** Stops kcat and resolves once the process has exited. Idempotent. */
  close(): Promise<void>;
}

/** Options for {@link startKafkaMockCluster}. */
export interface KafkaMockClusterOptions {
  /** Number of mock brokers; defaults to 3. */
  brokers?: number;
  /** How long to wait for kcat to report the bootstrap servers; defaults to 10 000 ms. */
  timeoutMs?: number;
}

/** Topic kcat produces to; the mock auto-creates it (4 partitions) on start-up. */
export const KCAT_MOCK_KEEPALIVE_TOPIC = '__kcat_mock_keepalive';

// librdkafka logs this notice (level 5) once the mock brokers are listening.
const READY_LINE = /Mock cluster enabled: .* replaced with (\S+)/;
const KILL_GRACE_MS = 2_000;
const STDERR_KEEP_CHARS = 8_192;

/**
 * The kcat argument list for a mock cluster of `brokers` brokers. Producer
 * mode (-P) keeps kcat idle on stdin, and stdin EOF is what stops it; the
 * -b value is required by kcat but ignored once the mock is enabled.
 */
export function kcatMockArgs(brokers: number): string[] {
  return ['-b', '127.0.0.1:9', '-X', `test.mock.num.brokers=${brokers}`, '-P', '-t', KCAT_MOCK_KEEPALIVE_TOPIC];
}

/** Whether a working `kcat` binary is on PATH. */
export function kcatAvailable(): boolean {
  const result = spawnSync('kcat', ['-V'], { stdio: 'ignore', timeout: 5_000 });
  return result.error === undefined && result.status === 0;
}

class MockCluster implements KafkaMockCluster {
  readonly brokers: string[];
  readonly #child: ChildProcess;
  readonly #closed: Promise<void>;

  constructor(child: ChildProcess, closed: Promise<void>, brokers: string[]) {
    this.#child = child;
    this.#closed = closed;
    this.brokers = brokers;
  }

  close(): Promise<void> {
    return stopKcat(this.#child, this.#closed);
  }
}

/**
 * Starts librdkafka's mock cluster via `kcat -X test.mock.num.brokers=N -P`
 * and resolves with its bootstrap addresses. Rejects if kcat is missing,
 * exits early, or stays silent past `timeoutMs`.
 *
 * The mock (librdkafka 2.0.x) speaks Metadata up to v2 and auto-creates any
 * topic a Metadata request names. It reports controller id 0, which is no
 * broker, so kafkajs calls that need the controller (createTopics, idempotent
 * producers) fail with KafkaJSBrokerNotFound; and a consumer group's first
 * join always waits 3 s (the mock's fixed initial rebalance delay).
 */
export async function startKafkaMockCluster(options: KafkaMockClusterOptions = {}): Promise<KafkaMockCluster> {
  const count = options.brokers ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`brokers must be a positive integer, got ${count}`);
  // stdin stays a pipe: if this process dies, kcat sees EOF and exits instead of lingering.
  const child = spawn('kcat', kcatMockArgs(count), { stdio: ['pipe', 'ignore', 'pipe'] });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.stdin?.on('error', () => undefined);
  try {
    const brokers = await waitForBootstrap(child, options.timeoutMs ?? 10_000);
    child.stderr?.resume();
    return new MockCluster(child, closed, brokers);
  } catch (error) {
    await stopKcat(child, closed);
    throw error;
  }
}

function waitForBootstrap(child: ChildProcess, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const fail = (message: string): void => {
      cleanup();
      reject(new Error(`${message}${stderr ? `\nkcat stderr:\n${stderr.trim()}` : ''}`));
    };
    const onData = (chunk: Buffer): void => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP_CHARS);
      const match = stderr.split('\n').slice(0, -1).map((line) => READY_LINE.exec(line)).find(Boolean);
      if (!match) return;
      cleanup();
      resolve(match[1]!.split(','));
    };
    const onError = (error: Error): void => fail(`kcat could not be started (${error.message}); install it, e.g. apt-get install kcat`);
    const onExit = (code: number | null, signal: string | null): void =>
      fail(`kcat exited (code ${code}, signal ${signal}) before reporting the mock cluster`);
    const timer = setTimeout(() => fail(`kcat did not report the mock cluster within ${timeoutMs} ms`), timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
    };
    child.stderr?.on('data', onData);
    child.once('error', onError);
    child.once('exit', onExit);
  });
}

function stopKcat(child: ChildProcess, closed: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    // kcat -P restarts its blocking stdin read after SIGTERM, so EOF is what actually stops it.
    child.stdin?.end();
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    void closed.then(() => clearTimeout(force));
  }
  return closed;
}
