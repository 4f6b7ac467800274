import { createContext, useContext, useEffect, useMemo, useReducer, type ReactNode } from 'react'
import {
  loadRegistry,
  registryReducer,
  saveRegistry,
  type BackfillInfo,
} from './backfill-registry.ts'

export interface BackfillContextValue {
  activeBackfills: BackfillInfo[]
  addBackfill: (info: BackfillInfo) => void
  updateBackfill: (backfillId: string, updates: Partial<BackfillInfo>) => void
  removeBackfill: (backfillId: string) => void
  getBackfill: (backfillId: string) => BackfillInfo | undefined
}

const BackfillContext = createContext<BackfillContextValue | null>(null)

export function BackfillProvider({
  children,
  storage = globalThis.sessionStorage,
}: {
  children: ReactNode
  storage?: Storage
}) {
  const [activeBackfills, dispatch] = useReducer(registryReducer, storage, loadRegistry)
  useEffect(() => saveRegistry(activeBackfills, storage), [activeBackfills, storage])
  // Actions only dispatch, so they keep their identity across renders (safe in effect deps).
  const actions = useMemo(
    () => ({
      addBackfill: (info: BackfillInfo) => dispatch({ type: 'add', info }),
      updateBackfill: (backfillId: string, updates: Partial<BackfillInfo>) =>
        dispatch({ type: 'update', backfillId, updates }),
      removeBackfill: (backfillId: string) => dispatch({ type: 'remove', backfillId }),
    }),
    [],
  )
  const value = useMemo<BackfillContextValue>(
    () => ({
      ...actions,
      activeBackfills,
      getBackfill: (backfillId) => activeBackfills.find((b) => b.backfillId === backfillId),
    }),
    [actions, activeBackfills],
  )
  return <BackfillContext.Provider value={value}>{children}</BackfillContext.Provider>
}

export function useBackfillContext(): BackfillContextValue {
  const value = useContext(BackfillContext)
  if (!value) throw new Error('useBackfillContext needs a <BackfillProvider> above it')
  return value
}
