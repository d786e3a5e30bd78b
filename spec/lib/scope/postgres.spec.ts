// Scopes against the real local PostgreSQL: a request-scoped repository, an async factory, borrows
// a client of the started `sql` Pool singleton and opens a transaction; its definition's onStop
// commits (or rolls back when the work failed) and gives the client back when the scope ends.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pool, PoolClient } from 'pg';
import { Container, token, type FactoryDefinition } from '../../../lib';
import { sql } from '../../../providers/sql';

interface Job {
  readonly id: number;
  readonly fail: boolean;
}
const REQUEST = token<Job>('request');
const TABLE = `bandmaster_scope_${process.pid}`;

interface Repository {
  readonly client: PoolClient;
  failed: boolean;
  save(): Promise<void>;
}

const repository: FactoryDefinition<Repository> = {
  name: 'repository',
  scope: 'scoped',
  deps: ['db', REQUEST],
  useFactory: async (pool: Pool, job: Job): Promise<Repository> => {
    const client = await pool.connect();
    await client.query('BEGIN');
    const repo: Repository = {
      client,
      failed: false,
      save: async () => {
        await client.query(`INSERT INTO ${TABLE} (id) VALUES ($1)`, [job.id]);
        if (job.fail) {
          repo.failed = true;
          throw new Error('the job failed');
        }
      },
    };
    return repo;
  },
  onStop: async (repo) => {
    try {
      await repo.client.query(repo.failed ? 'ROLLBACK' : 'COMMIT');
    } finally {
      repo.client.release();
    }
  },
};

describe('Scope', () => {
  it('runs 1,000 concurrent request scopes on the real PostgreSQL pool: each commits or rolls back, and the pool ends where it began', async () => {
    const container = new Container({ logger: false });
    container.register(sql({ name: 'db', config: { url: 'postgres://postgres@127.0.0.1:5432/postgres', max: 10 } }), repository);
    await container.startAll({ timeout: 10_000 });
    const pool = container.resolve<Pool>('db');
    await pool.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (id integer PRIMARY KEY)`);
    await pool.query(`TRUNCATE ${TABLE}`);
    const before = { total: pool.totalCount, idle: pool.idleCount };
    try {
      const handle = async (id: number): Promise<boolean> => {
        await using scope = container.createScope();
        scope.provide(REQUEST, { id, fail: id % 10 === 0 });
        const repo = await scope.resolve<Repository>('repository');
        assert.equal(repo, await scope.resolve('repository'));
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
    container.register(sql({ name: 'db', config: { url: 'postgres://postgres@127.0.0.1:5432/postgres', max: 2 } }), repository);
    await container.startAll({ timeout: 10_000 });
    const pool = container.resolve<Pool>('db');
    const scope = container.createScope().provide(REQUEST, { id: 1, fail: false });
    await scope.resolve('repository');
    assert.equal(pool.idleCount, pool.totalCount - 1);
    await container.stopAll({ timeout: 10_000 });
    assert.equal(scope.disposed, true);
    assert.equal(pool.totalCount, 0);
  });
});
