// The demo shows the quickstart's real outcome on any machine: it uses the real memcached and
// Redis where they answer (their default ports, or where MC_EXAMPLE_SERVERS / RD_EXAMPLE_URI
// point), and otherwise starts in-process stand-ins that the real clients (memjs, ioredis) reach
// over real sockets.
import { connect } from 'node:net';
import { startMemcachedStandIn, type StandIn } from './memcached-stand-in';
import { startRedisStandIn } from './redis-stand-in';

/** What {@link exampleServers} set up: the stand-ins it started, to close at the end. */
export interface ExampleServers {
  /** A one-line description of what the demo talks to. */
  readonly summary: string;
  close(): Promise<void>;
}

/** Whether something accepts a TCP connection at `host:port` within `ms`. */
export function answers(host: string, port: number, ms = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function hostPort(address: string, defaultPort: number): [string, number] {
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(address.trim());
  return [match?.[1] ?? match?.[2] ?? '127.0.0.1', Number(match?.[3] ?? defaultPort)];
}

/**
 * Points MC_EXAMPLE_SERVERS and RD_EXAMPLE_URI at servers that answer, starting stand-ins for the
 * ones that do not. `BANDMASTER_DEMO_STAND_INS=off` never starts them (the demo then shows every
 * service failing, as the Go original does without servers).
 */
export async function exampleServers(env: NodeJS.ProcessEnv = process.env): Promise<ExampleServers> {
  const standIns: StandIn[] = [];
  try {
    return await setUp(env, standIns);
  } catch (err) {
    // a stand-in that did start must not keep the process alive when the next one cannot
    await Promise.all(standIns.map((s) => s.close()));
    throw err;
  }
}

async function setUp(env: NodeJS.ProcessEnv, standIns: StandIn[]): Promise<ExampleServers> {
  const used: string[] = [];
  const allowed = env['BANDMASTER_DEMO_STAND_INS'] !== 'off';

  const memcachedAt = env['MC_EXAMPLE_SERVERS']?.split(',')[0] ?? '127.0.0.1:11211';
  const [mcHost, mcPort] = hostPort(memcachedAt.replace(/^.*@/, ''), 11211);
  if (!allowed || (await answers(mcHost, mcPort))) used.push(`memcached at ${mcHost}:${mcPort}`);
  else {
    const standIn = await startMemcachedStandIn();
    standIns.push(standIn);
    env['MC_EXAMPLE_SERVERS'] = `${standIn.host}:${standIn.port}`;
    used.push(`no memcached at ${mcHost}:${mcPort}: an in-process stand-in on port ${standIn.port}`);
  }

  const redisAt = env['RD_EXAMPLE_URI'] ?? 'redis://127.0.0.1:6379';
  let rdHost = '127.0.0.1';
  let rdPort = 6379;
  try {
    const url = new URL(redisAt);
    rdHost = url.hostname.replace(/^\[|\]$/g, '') || rdHost;
    rdPort = Number(url.port || 6379);
  } catch {
    // not a URL: the redis provider reports it; probe the default
  }
  if (!allowed || (await answers(rdHost, rdPort))) used.push(`Redis at ${rdHost}:${rdPort}`);
  else {
    const standIn = await startRedisStandIn();
    standIns.push(standIn);
    env['RD_EXAMPLE_URI'] = `redis://${standIn.host}:${standIn.port}`;
    used.push(`no Redis at ${rdHost}:${rdPort}: an in-process stand-in on port ${standIn.port}`);
  }

  // a namespace whose loopback interface is down reaches nothing, not even an in-process server
  const unreachable = [];
  for (const standIn of standIns) if (!(await answers(standIn.host, standIn.port))) unreachable.push(standIn.port);
  if (unreachable.length > 0) used.push(`the stand-ins cannot be reached either (port ${unreachable.join(', ')}): is the loopback interface down? (ip link set lo up)`);
  const hint = standIns.length > 0 ? ' (for the real servers: `npm run services` or `docker compose up -d memcached redis`)' : '';
  return {
    summary: `demo servers: ${used.join('; ')}${hint}`,
    close: async () => {
      await Promise.all(standIns.map((s) => s.close()));
    },
  };
}
