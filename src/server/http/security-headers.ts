/**
 * Response headers for the page and the API (through @fastify/helmet): a CSP that lets the
 * page load only its own bundle and be framed by no one, no MIME sniffing, no referrer.
 */
import type { FastifyHelmetOptions } from '@fastify/helmet'

export const SECURITY_HEADERS: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  // The server speaks plain HTTP; whether a name is HTTPS-only is the TLS proxy's decision.
  strictTransportSecurity: false,
}
