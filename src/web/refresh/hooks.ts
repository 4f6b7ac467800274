/** "Collect latest now": one waited refresh, then every view it can change refetches. */
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useApi } from '../api/ApiProvider.tsx'
import { REFRESH_AFFECTS } from '../api/queries.ts'

export function useRefreshNow() {
  const api = useApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => api.refresh(),
    // Not awaited: the result shows at once, the grid catches up a moment later.
    onSuccess: () => {
      for (const queryKey of REFRESH_AFFECTS) void queryClient.invalidateQueries({ queryKey })
    },
  })
}
