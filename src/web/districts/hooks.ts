/**
 * Changing the configured districts. Each success refetches the configured list before the
 * mutation settles, so the editor and the backfill form never show the old list as current.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useApi } from '../api/ApiProvider.tsx'
import { queryKeys } from '../api/queries.ts'

export function useReplaceDistricts() {
  const api = useApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (ids: readonly string[]) => api.replaceDistricts(ids),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.configured }),
  })
}

export function useRemoveDistrict() {
  const api = useApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (districtId: string) => api.removeDistrict(districtId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.configured }),
  })
}
