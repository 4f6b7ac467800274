/**
 * A fresh, empty database on the test run's PostgreSQL cluster (see pg.global-setup.ts), for one
 * test file: `const db = await createTestDatabase()` in beforeAll, `await db.drop()` in afterAll.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'

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
      admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  }
}
