import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const LIB = join(__dirname, '..', '..', 'lib', 'index.js');

/**
 * The stdout lines of a fresh process that boots and stops a small graph with a default logger
 * made by `make` (an expression of `b`, the library, and `winston`), after `setup` ran on it as
 * `logger`: a start that fails once then succeeds, an optional service that fails, a stop.
 */
function stdoutOf(make: string, setup = ''): string[] {
  const script = `
    require('reflect-metadata');
    const b = require(${JSON.stringify(LIB)});
    const winston = require('winston');
    const logger = ${make};
    ${setup}
    let calls = 0;
    const c = new b.Container({ logger });
    c.register(
      { name: 'db "main"', retries: 1, backoff: 1, useFactory: () => (++calls === 1 ? Promise.reject(new Error('refused\\n"quoted"')) : {}) },
      { name: 'cache', required: false, useFactory: () => Promise.reject(new Error('down')) },
    );
    c.startAll().then(() => c.stopAll());`;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, BANDMASTER_LOG_TIMESTAMP: '' } });
  return out.split('\n').filter((l) => l !== '');
}

/** The one field that differs between two runs. */
const steady = (line: string): string => line.replace(/"durationMs":[0-9.]+/, '"durationMs":0').replace(/"time":"[^"]+"/, '"time":"T"');

/** Sends a default logger's lines through winston's own Console transport instead of its direct path. */
const throughWinston = 'logger.clear(); logger.add(new winston.transports.Console());';

/** Counts the lines a logger hands to winston's stream, printed as a last line `{"winston":n}`. */
const countWinston =
  "let n = 0; const write = logger.write; logger.write = function (...a) { n++; return write.apply(this, a); }; process.on('exit', () => process.stdout.write(JSON.stringify({ winston: n }) + '\\n'));";

describe('the default logger', () => {
  it('writes its lines without winston while nothing was changed on it, and through winston once something was', () => {
    const direct = stdoutOf("b.createDefaultLogger('info')", countWinston);
    assert.equal(direct.length, 9);
    assert.deepEqual(JSON.parse(direct.at(-1)!), { winston: 0 });
    const changed = stdoutOf("b.createDefaultLogger('info')", `${throughWinston} ${countWinston}`);
    assert.deepEqual(JSON.parse(changed.at(-1)!), { winston: 8 });
  });

  it('writes the same bytes to stdout as through winston', () => {
    const direct = stdoutOf("b.createDefaultLogger('info')");
    assert.equal(direct.length, 8);
    assert.deepEqual(direct.map(steady), stdoutOf("b.createDefaultLogger('info')", throughWinston).map(steady));
    const stamped = "b.createDefaultLogger('info', { timestamp: true })";
    assert.deepEqual(stdoutOf(stamped).map(steady), stdoutOf(stamped, throughWinston).map(steady));
    assert.deepEqual(JSON.parse(direct.find((l) => l.includes('retrying'))!), { level: 'info', msg: 'service failed to start, retrying in 1ms...', service: 'db "main"', error: 'refused\n"quoted"', attempt: 1 });
  });

  it('writes nothing below its level, and stamps lines only when asked to', () => {
    assert.deepEqual(stdoutOf("b.createDefaultLogger('warn')").map((l) => (JSON.parse(l) as { msg: string }).msg), ['service failed to start']);
    const stamped = stdoutOf("b.createDefaultLogger('info', { timestamp: true })");
    assert.equal(stamped.length, 8);
    for (const line of stamped) assert.deepEqual(Object.keys(JSON.parse(line) as object).slice(0, 3), ['level', 'time', 'msg']);
  });

  it('honours what is changed on it afterwards: its metadata, silence, level and data listeners', () => {
    const meta = stdoutOf("b.createDefaultLogger('info')", "logger.defaultMeta = { app: 'x' };");
    assert.equal(meta.length, 8);
    assert.ok(meta.every((l) => (JSON.parse(l) as { app?: string }).app === 'x'));
    assert.deepEqual(stdoutOf("b.createDefaultLogger('info')", 'logger.silent = true;'), []);
    assert.equal(stdoutOf("b.createDefaultLogger('info')", "logger.level = 'warn';").length, 1);
    const read = stdoutOf("b.createDefaultLogger('info')", "let n = 0; logger.on('data', () => n++); process.on('exit', () => process.stdout.write(JSON.stringify({ data: n }) + '\\n'));");
    assert.deepEqual(JSON.parse(read.at(-1)!), { data: 8 });
    assert.equal(read.length, 9);
  });
});
