import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { loadAdminToken } from './api/admin-token.ts'
import { shouldRetryQuery } from './api/api-error.ts'
import { ApiProvider } from './api/ApiProvider.tsx'
import { createApiClient } from './api/client.ts'
import { App } from './app/App.tsx'
import { BackfillProvider } from './backfill/BackfillContext.tsx'
import './styles.css'

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: shouldRetryQuery, refetchOnWindowFocus: false } },
})
const api = createApiClient({ getToken: () => loadAdminToken() })

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')
createRoot(root).render(
  <StrictMode>
    <ApiProvider client={api}>
      <QueryClientProvider client={queryClient}>
        <BackfillProvider>
          <App />
        </BackfillProvider>
      </QueryClientProvider>
    </ApiProvider>
  </StrictMode>,
)
