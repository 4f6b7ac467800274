/** The admin token lives in sessionStorage: it survives a reload, not the browser session. */
const KEY = 'tm-backfill.admin-token'

export function loadAdminToken(
  storage: Storage | undefined = globalThis.sessionStorage,
): string | null {
  const value = storage?.getItem(KEY) ?? ''
  return value.trim() === '' ? null : value.trim()
}

export function saveAdminToken(
  token: string,
  storage: Storage | undefined = globalThis.sessionStorage,
): void {
  if (!storage) return
  if (token.trim() === '') storage.removeItem(KEY)
  else storage.setItem(KEY, token.trim())
}
