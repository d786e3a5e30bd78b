// Scopes against the real local PostgreSQL: a request-scoped repository borrows a client of the
// started `sql` Pool singleton in onStart, runs a transaction, and gives the client back when its
// scope is disposed (commit, or rollback when the work failed).
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pool, PoolClient } from 'pg';
import { Container, Inject, Service, token, type OnStart, type OnStop } from '../../../lib';
import { sql } from '../../../providers/sql';

const REQUEST = token<{ readonly id: number; readonly fail: boolean }>('request');
const TABLE = `bandmaster_scope_${process.pid}`;

@Service({ scope: 'scoped' })
class Repository implements OnStart, OnStop {
  #client: PoolClient | undefined;
  #failed = false;

  constructor(
    @Inject('db') private readonly pool: Pool,
    @Inject(REQUEST) readonly request: { readonly id: number; readonly fail: boolean },
  ) {}

  async onStart(): Promise<void> {
    this.#client = await this.pool.connect();
    await this.#client.query('BEGIN');
  }

  async save(): Promise<void> {
    try {
      await this.#client!.query(`INSERT INTO ${TABLE} (id) VALUES ($1)`, [this.request.id]);
      if (this.request.fail) throw new Error('the handler failed');
    } catch (error) {
      this.#failed = true;
      throw error;
    }
  }

  async onStop(): Promise<void> {
    const client = this.#client!;
    this.#client = undefined;
    try {
      await client.query(this.#failed ? 'ROLLBACK' : 'COMMIT');
    } finally {
      client.release();
    }
  }
}

describe('Scope', () => {
  it('runs 1,000 concurrent request scopes on the real PostgreSQL pool: each commits or rolls back, and the pool ends where it began', async () => {
    const container = new Container({ logger: false });
    container.register(sql({ name: 'db', config: { url: 'postgres://postgres@127.0.0.1:5432/postgres', max: 10 } }), Repository);
    await container.startAll({ timeout: 10_000 });
    const pool = container.resolve<Pool>('db');
    await pool.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (id integer PRIMARY KEY)`);
    await pool.query(`TRUNCATE ${TABLE}`);
    const before = { total: pool.totalCount, idle: pool.idleCount };
    try {
      const handle = async (id: number): Promise<boolean> => {
        await using scope = container.createScope();
        scope.provide(REQUEST, { id, fail: id % 10 === 0 });
        const repo = await scope.resolve(Repository);
        assert.equal(repo, await scope.resolve(Repository));
        // awaited inside the block: the scope (and its transaction) ends after the work
        return await repo.save().then(() => true, () => false);
      };
      const outcomes = await Promise.all(Array.from({ length: 1_000 }, (_, i) => handle(i + 1)));
      assert.equal(outcomes.filter(Boolean).length, 900);
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${TABLE}`);
      assert.equal(Number(rows[0]!.n), 900);
      assert.equal(pool.waitingCount, 0);
      assert.equal(pool.idleCount, pool.totalCount);
      assert.ok(pool.totalCount <= 10 && pool.totalCount >= before.total);
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
      await container.stopAll();
    }
  });

  it('gives back the client of a scope still open when stopAll runs, before the pool ends', async () => {
    const container = new Container({ logger: false });
    container.register(sql({ name: 'db', config: { url: 'postgres://postgres@127.0.0.1:5432/postgres', max: 2 } }), Repository);
    await container.startAll({ timeout: 10_000 });
    const pool = container.resolve<Pool>('db');
    const scope = container.createScope().provide(REQUEST, { id: 1, fail: false });
    await scope.resolve(Repository);
    assert.equal(pool.idleCount, pool.totalCount - 1);
    await container.stopAll({ timeout: 10_000 });
    assert.equal(scope.disposed, true);
    assert.equal(pool.totalCount, 0);
  });
});
