/**
 * One GET as the page's browser makes it: a kept-alive connection, `Accept-Encoding: br, gzip`
 * (what Chromium sends, less the encodings the server does not make) and `If-None-Match` with the
 * tag it holds. The benches time it from the request to the answer's last byte; decoding the body
 * is each browser's own work, so `decoded` is left to the caller, outside the timing (with 50
 * pollers in one process the decoding would be the client's CPU, on the cores the server runs on,
 * that the latencies measured).
 */
import http from 'node:http'
import zlib from 'node:zlib'

export interface BrowserAnswer {
  status: number
  etag: string | null
  /** The body as it came over the wire (compressed when `encoding` says so). */
  wire: Buffer
  encoding: string | null
}

export function browserGet(
  agent: http.Agent,
  url: string,
  etag: string | null,
): Promise<BrowserAnswer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { 'accept-encoding': 'br, gzip' }
    if (etag) headers['if-none-match'] = etag
    const req = http.get(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          etag: typeof res.headers.etag === 'string' ? res.headers.etag : null,
          wire: Buffer.concat(chunks),
          encoding:
            typeof res.headers['content-encoding'] === 'string'
              ? res.headers['content-encoding']
              : null,
        }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
  })
}

/** The body's text, decoded as the browser would. */
export function decoded(answer: BrowserAnswer): string {
  const bytes =
    answer.encoding === 'br'
      ? zlib.brotliDecompressSync(answer.wire)
      : answer.encoding === 'gzip'
        ? zlib.gunzipSync(answer.wire)
        : answer.wire
  return bytes.toString('utf8')
}
