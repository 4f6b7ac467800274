import { useState } from 'react'
import { loadAdminToken, saveAdminToken } from '../api/admin-token.ts'

/** Admin token for servers started with ADMIN_TOKEN; kept in sessionStorage only. */
export function TokenField() {
  const [token, setToken] = useState(() => loadAdminToken() ?? '')
  return (
    <label className="inline token">
      Admin token{' '}
      <input
        type="password"
        autoComplete="off"
        placeholder="only if the server needs one"
        value={token}
        onChange={(e) => {
          setToken(e.target.value)
          saveAdminToken(e.target.value)
        }}
      />
    </label>
  )
}
