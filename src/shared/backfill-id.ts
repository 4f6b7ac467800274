/**
 * What a backfill id may look like wherever one arrives (URL parameter, job log file name): the
 * service makes `bf_<time>_<hex>`, and anything matching this rule is safe as a file name.
 */
export const BACKFILL_ID_RE = /^[A-Za-z0-9_-]{1,80}$/
