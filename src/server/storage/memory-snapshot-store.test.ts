import { createMemoryBackend, createMemorySnapshotStore } from './memory-snapshot-store.ts'
import { runSnapshotStoreContract } from './snapshot-store.contract.ts'
import { FIXED_NOW } from './test-helpers.ts'

runSnapshotStoreContract('memory store', () => {
  const backend = createMemoryBackend()
  return Promise.resolve({
    store: createMemorySnapshotStore({ now: () => FIXED_NOW }, backend),
    cleanup: () => Promise.resolve(),
    async tamperDistrict(asOf, id, edit) {
      const name = `district_${id}.json`
      backend.overwriteFile(asOf, name, edit(backend.fileText(asOf, name) ?? ''))
    },
  })
})
