/**
 * Test support: a StorageFs that fails its n-th call. `once` fails that call only (an I/O
 * error the process survives); `crash` also fails every later call (the process died there,
 * so not even cleanup runs). A failing writeFile first writes half its data: a torn write.
 */
import type { StorageFs } from './storage-fs.ts'

export interface FaultPlan {
  failAt: number
  mode: 'once' | 'crash'
}

export interface FaultyFs {
  fs: StorageFs
  /** Calls made so far. */
  readonly calls: number
  /** Whether the planned failure happened. */
  readonly triggered: boolean
  /** The name of the operation that failed. */
  readonly failedOp: string | null
}

function errnoError(code: string, op: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected failure in ${op}`), { code })
}

export function createFaultyFs(base: StorageFs, plan: FaultPlan): FaultyFs {
  let calls = 0
  let failedOp: string | null = null
  const crashed = () => plan.mode === 'crash' && failedOp !== null

  function wrap<K extends keyof StorageFs>(op: K): StorageFs[K] {
    const real = base[op] as (...args: unknown[]) => Promise<unknown>
    return (async (...args: unknown[]) => {
      if (crashed()) throw errnoError('EIO', op)
      calls++
      if (calls !== plan.failAt) return real(...args)
      failedOp = op
      if (op === 'writeFile') {
        const data = String(args[1])
        await base.writeFile(String(args[0]), data.slice(0, Math.floor(data.length / 2)))
        throw errnoError('ENOSPC', op)
      }
      throw errnoError('EIO', op)
    }) as StorageFs[K]
  }

  const ops = Object.keys(base) as (keyof StorageFs)[]
  const fs = Object.fromEntries(ops.map((op) => [op, wrap(op)])) as unknown as StorageFs
  return {
    fs,
    get calls() {
      return calls
    },
    get triggered() {
      return failedOp !== null
    },
    get failedOp() {
      return failedOp
    },
  }
}

/** A StorageFs whose every call of `op` fails with `errno` (read-only disk, full disk...). */
export function createFailingFs(base: StorageFs, op: keyof StorageFs, errno: string): StorageFs {
  return {
    ...base,
    [op]: () => Promise.reject(errnoError(errno, op)),
  }
}

export interface FillableDisk {
  fs: StorageFs
  /** From now on every writeFile fails with ENOSPC (after writing half its data). */
  fill(): void
  /** Space is back: writes succeed again. */
  free(): void
  /** writeFile calls refused while full. */
  readonly refused: number
}

/** A disk that runs out of space when told to, and gets it back when told to. */
export function createFillableDisk(base: StorageFs): FillableDisk {
  let full = false
  let refused = 0
  const fs: StorageFs = {
    ...base,
    async writeFile(target, data) {
      if (!full) return base.writeFile(target, data)
      refused++
      await base.writeFile(target, data.slice(0, Math.floor(data.length / 2)))
      throw errnoError('ENOSPC', 'writeFile')
    },
  }
  return {
    fs,
    fill: () => void (full = true),
    free: () => void (full = false),
    get refused() {
      return refused
    },
  }
}
