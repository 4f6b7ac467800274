/** Renders a component with the page's providers around it and a client the test hands in. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { ApiProvider } from './api/ApiProvider.tsx'
import type { ApiClient } from './api/client.ts'
import { BackfillProvider } from './backfill/BackfillContext.tsx'
import { memoryStorage } from './test-support.ts'

/** A client whose every call fails loudly unless the test provides it. */
export function fakeApi(overrides: Partial<ApiClient>): ApiClient {
  return new Proxy(overrides as ApiClient, {
    get(target, prop: string) {
      const own = (target as Record<string, unknown>)[prop]
      if (own) return own
      return () => Promise.reject(new Error(`fakeApi: ${prop} was not expected`))
    },
  })
}

export function renderWithProviders(ui: ReactElement, api: ApiClient, storage = memoryStorage()) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  return render(
    <ApiProvider client={api}>
      <QueryClientProvider client={queryClient}>
        <BackfillProvider storage={storage}>{ui}</BackfillProvider>
      </QueryClientProvider>
    </ApiProvider>,
  )
}
