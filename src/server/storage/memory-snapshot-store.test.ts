import { createMemorySnapshotStore } from './memory-snapshot-store.ts'
import { runSnapshotStoreContract } from './snapshot-store.contract.ts'
import { FIXED_NOW } from './test-helpers.ts'

runSnapshotStoreContract('memory store', () =>
  Promise.resolve({
    store: createMemorySnapshotStore({ now: () => FIXED_NOW }),
    cleanup: () => Promise.resolve(),
  }),
)
