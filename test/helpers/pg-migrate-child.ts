/**
 * A separate OS process that migrates DATABASE_URL: prints "ready" once connected, waits for a
 * line on stdin (so several start migrating at the same instant), prints the result as JSON.
 */
import { createInterface } from 'node:readline'
import { createPgPool, migrate } from '../../src/server/pg/index.ts'

const pool = createPgPool({ databaseUrl: process.env['DATABASE_URL'] ?? '', max: 1 })
await pool.query('SELECT 1')
process.stdout.write('ready\n')
await new Promise<void>((resolve) =>
  createInterface({ input: process.stdin }).once('line', () => resolve()),
)
try {
  process.stdout.write(`${JSON.stringify(await migrate(pool))}\n`)
} finally {
  await pool.end()
}
