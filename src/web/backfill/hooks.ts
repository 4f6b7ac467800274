/**
 * The page's API hooks, kept thin: each picks a query option factory or a client call and
 * keeps BackfillContext and the cached lists in step.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import {
  isTerminal,
  type BackfillRequest,
  type BackfillResponse,
} from '../../shared/backfill-api.ts'
import { useApi } from '../api/ApiProvider.tsx'
import { backfillStatusOptions, queryKeys } from '../api/queries.ts'
import { useBackfillContext } from './BackfillContext.tsx'
import { toBackfillInfo, type BackfillInfo } from './backfill-registry.ts'

/** After a job starts or is cancelled: watch it, and let lists that show it refetch. */
function useOnJob() {
  const queryClient = useQueryClient()
  const { addBackfill } = useBackfillContext()
  return (job: BackfillResponse) => {
    addBackfill(toBackfillInfo(job))
    queryClient.setQueryData(queryKeys.job(job.backfillId, job.districtId ?? null), job)
    void queryClient.invalidateQueries({ queryKey: ['backfills', 'history'] })
  }
}

export function useInitiateBackfill() {
  const api = useApi()
  const onJob = useOnJob()
  return useMutation({
    mutationFn: (request: BackfillRequest) => api.initiateBackfill(request),
    onSuccess: onJob,
  })
}

export function useInitiateDistrictBackfill(districtId: string) {
  const api = useApi()
  const onJob = useOnJob()
  return useMutation({
    mutationFn: (request: BackfillRequest) => api.initiateBackfill(request, districtId),
    onSuccess: onJob,
  })
}

/** Dry run: the plan, nothing started. `districtId` uses the district-scoped route. */
export function usePreviewBackfill(districtId?: string) {
  const api = useApi()
  return useMutation({
    mutationFn: (request: BackfillRequest) => api.previewBackfill(request, districtId),
  })
}

export function useBackfillStatus(backfillId: string | null, enabled = true) {
  const api = useApi()
  return useQuery({ ...backfillStatusOptions(api, backfillId), enabled })
}

export function useDistrictBackfillStatus(
  districtId: string,
  backfillId: string | null,
  enabled = true,
) {
  const api = useApi()
  return useQuery({ ...backfillStatusOptions(api, backfillId, districtId), enabled })
}

export function useCancelBackfill() {
  const api = useApi()
  const onJob = useOnJob()
  return useMutation({
    mutationFn: (backfillId: string) => api.cancelBackfill(backfillId),
    onSuccess: onJob,
  })
}

export function useCancelDistrictBackfill(districtId: string) {
  const api = useApi()
  const onJob = useOnJob()
  return useMutation({
    mutationFn: (backfillId: string) => api.cancelBackfill(backfillId, districtId),
    onSuccess: onJob,
  })
}

/** A new job over the failed cells of a finished one (global route; it serves both kinds). */
export function useRetryBackfill() {
  const api = useApi()
  const onJob = useOnJob()
  return useMutation({
    mutationFn: (backfillId: string) => api.retryBackfill(backfillId),
    onSuccess: onJob,
  })
}

/**
 * Polls a watched job with the route it was started on, mirrors its status into
 * BackfillContext, and refreshes coverage and history once it ends.
 */
export function useWatchedJob(info: BackfillInfo) {
  const api = useApi()
  const queryClient = useQueryClient()
  const { updateBackfill } = useBackfillContext()
  const districtId = info.type === 'district' ? info.districtId : undefined
  const query = useQuery(backfillStatusOptions(api, info.backfillId, districtId))
  const status = query.data?.status
  useEffect(() => {
    if (!status) return
    updateBackfill(info.backfillId, { status })
    if (isTerminal(status)) {
      void queryClient.invalidateQueries({ queryKey: ['coverage'] })
      void queryClient.invalidateQueries({ queryKey: ['series'] })
      void queryClient.invalidateQueries({ queryKey: ['backfills', 'history'] })
      void queryClient.invalidateQueries({ queryKey: queryKeys.available })
    }
  }, [status, info.backfillId, updateBackfill, queryClient])
  return query
}
