import type { FieldIssue } from '../api/api-error.ts'

/** Every rejected field at the top of a form, named as the API names it. */
export function ErrorSummary({ issues }: { issues: readonly FieldIssue[] }) {
  if (issues.length === 0) return null
  return (
    <div className="error-summary" role="alert">
      <p>The request was not accepted:</p>
      <ul>
        {issues.map((i) => (
          <li key={`${i.field}:${i.message}`}>
            <strong>{i.field}</strong>: {i.message}
          </li>
        ))}
      </ul>
    </div>
  )
}
