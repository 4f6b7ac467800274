/**
 * What every request must pass before routing, validation or body parsing, in this order:
 * a `Host` naming this server (DNS rebinding), a same-origin browser context for anything that
 * changes state (cross-site requests), and the admin token for anything that changes state.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { isLoopbackHost, toHostName } from '../config.ts'
import { ErrorCode } from '../../shared/error-codes.ts'
import { clip, httpError } from './errors.ts'

/** Methods that never change state; every other one is checked for origin and token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** `Sec-Fetch-Site` values of a request the page made itself, or a user typing the URL. */
const OWN_FETCH_SITES = new Set(['same-origin', 'none'])

export function isMutating(method: string): boolean {
  return !SAFE_METHODS.has(method)
}

/** `example.org:5001` → `example.org`; `[::1]:5001` → `::1`; null when it is no host at all. */
export function hostNameOf(hostHeader: string): string | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(hostHeader)
  return m?.[1] ? toHostName(m[1]) : null
}

/**
 * The port is not compared: a rebinding page controls the name the browser puts in `Host`,
 * never the port its connection reached, and the page's dev server (`npm run dev:web`)
 * forwards `Host: localhost:5173` unchanged.
 */
export function assertHostAllowed(req: FastifyRequest, allowedHosts: ReadonlySet<string>): void {
  const header = req.headers.host
  const name = header === undefined ? null : hostNameOf(header)
  if (name !== null && (isLoopbackHost(name) || allowedHosts.has(name))) return
  throw httpError(
    ErrorCode.HOST_NOT_ALLOWED,
    header === undefined
      ? 'the request has no Host header'
      : `Host ${JSON.stringify(clip(header, 80))} does not name this server; a proxy's name must be listed in ALLOWED_HOSTS`,
  )
}

/**
 * A browser always sends `Origin` or `Sec-Fetch-Site` with a request that changes state;
 * clients that are not browsers (curl, cron, the CLI) send neither and are not refused here.
 * `Origin` must be the origin the request was addressed to (its own `Host`) or name one of the
 * configured host names (a proxy that rewrites `Host`).
 */
export function assertSameOrigin(req: FastifyRequest, allowedHosts: ReadonlySet<string>): void {
  const origin = req.headers.origin
  if (origin !== undefined && !isOwnOrigin(origin, req.headers.host ?? '', allowedHosts)) {
    throw httpError(
      ErrorCode.CROSS_SITE_REQUEST,
      `a request from another origin (Origin ${JSON.stringify(clip(origin, 80))}) may not change anything here`,
    )
  }
  const site = req.headers['sec-fetch-site']
  if (typeof site === 'string' && !OWN_FETCH_SITES.has(site)) {
    throw httpError(
      ErrorCode.CROSS_SITE_REQUEST,
      `a request from another site (Sec-Fetch-Site ${JSON.stringify(clip(site, 40))}) may not change anything here`,
    )
  }
}

function isOwnOrigin(
  origin: string,
  hostHeader: string,
  allowedHosts: ReadonlySet<string>,
): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false // includes the opaque origin "null" (sandboxed frames, file: pages)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
  if (origin !== url.origin) return false // a path, credentials or other extras: not an Origin
  if (allowedHosts.has(toHostName(url.hostname))) return true
  try {
    // Parsed with the origin's own scheme so default ports compare equal (`:80` vs none).
    return new URL(`${url.protocol}//${hostHeader}`).host === url.host
  } catch {
    return false
  }
}

/** 401 without credentials, 403 with wrong ones; nothing to check when no token is configured. */
export function assertAdmin(req: FastifyRequest, adminToken: string | null): void {
  if (adminToken === null) return
  const header = req.headers.authorization
  if (header === undefined || header.trim() === '') {
    throw httpError(
      ErrorCode.UNAUTHORIZED,
      'this endpoint needs Authorization: Bearer <ADMIN_TOKEN>',
    )
  }
  if (!hasToken(header, adminToken)) {
    throw httpError(ErrorCode.FORBIDDEN, 'the bearer token is not valid')
  }
}

/** True when the request carries the admin token (so it may see server paths). */
export function isAdminRequest(req: FastifyRequest, adminToken: string | null): boolean {
  const header = req.headers.authorization
  return adminToken !== null && header !== undefined && hasToken(header, adminToken)
}

function hasToken(header: string, adminToken: string): boolean {
  const m = /^Bearer +(\S+)$/i.exec(header.trim())
  return m?.[1] !== undefined && tokensEqual(m[1], adminToken)
}

/**
 * Compares SHA-256 digests, which always have the same length, so neither an early return on
 * a length mismatch nor the comparison's duration tells anything about the token.
 */
export function tokensEqual(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()
  return timingSafeEqual(digest(presented), digest(expected))
}
