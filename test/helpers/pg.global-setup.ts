/**
 * Vitest globalSetup of the `pg` project: one throwaway PostgreSQL cluster per test run, its
 * connection info provided to the test files (`inject('pg')`; each file makes its own database
 * with test/helpers/pg-database.ts). Runs only when PostgreSQL tests are part of the run. When
 * the cluster cannot start, the run fails with the reason; PostgreSQL tests never skip.
 */
import type { TestProject } from 'vitest/node'
import { startPgCluster } from './pg-cluster.ts'
import type { PgClusterInfo } from './pg-cluster.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    pg: PgClusterInfo
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startPgCluster()
  project.provide('pg', {
    host: cluster.host,
    port: cluster.port,
    user: cluster.user,
    adminUrl: cluster.adminUrl,
  })
  return () => cluster.stop()
}
