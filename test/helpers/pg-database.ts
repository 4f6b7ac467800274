/**
 * A fresh, empty database on the test run's PostgreSQL cluster (see pg.global-setup.ts), for one
 * test file: `const db = await createTestDatabase()` in beforeAll, `await db.drop()` in afterAll.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import { waitFor } from './wait.ts'

export interface TestDatabase {
  name: string
  url: string
  drop(): Promise<void>
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('pg').adminUrl })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  const { host, port, user } = inject('pg')
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0`))
  return {
    name,
    url: `postgres://${user}@${host}:${port}/${name}`,
    drop: () =>
      admin(async (c) => {
        // Connections a file's clients are still closing (pg-boss's stop resolves before its
        // pool's last connections are gone) get a moment to leave: FORCE would terminate them,
        // and a terminated connection of a pool that stopped listening is an uncaught error.
        // Up to 3 s; then FORCE anyway.
        await waitFor(
          `the connections to ${name} to close`,
          async () => {
            const { rows } = await c.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
              [name],
            )
            return (rows[0]?.n ?? 0) === 0
          },
          3000,
          { everyMs: 100 },
        ).catch(() => undefined)
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      }),
  }
}
