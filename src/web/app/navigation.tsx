import { useEffect, useState, type MouseEvent, type ReactNode } from 'react'
import { hrefFor, parseRoute, type Route } from './route.ts'

const NAVIGATE_EVENT = 'tm-backfill:navigate'

export function navigate(route: Route): void {
  window.history.pushState(null, '', hrefFor(route))
  window.dispatchEvent(new Event(NAVIGATE_EVENT))
}

/** The current route, following pushState navigation and the back button. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.search))
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.search))
    window.addEventListener('popstate', update)
    window.addEventListener(NAVIGATE_EVENT, update)
    return () => {
      window.removeEventListener('popstate', update)
      window.removeEventListener(NAVIGATE_EVENT, update)
    }
  }, [])
  return route
}

/** A real link (opens in a new tab too) that navigates in place on a plain click. */
export function Link({
  to,
  children,
  className,
}: {
  to: Route
  children: ReactNode
  className?: string
}) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    navigate(to)
  }
  return (
    <a href={hrefFor(to)} onClick={onClick} className={className}>
      {children}
    </a>
  )
}
