/**
 * Sends bytes exactly as written over a loopback socket and reads the answer: for requests
 * that `fetch` and `node:http` refuse to send (a chosen `Host`, lower-case methods, oversized
 * lines, no Host at all).
 */
import { connect } from 'node:net'

export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
  /** The whole answer as received, head included. */
  raw: string
}

/** Writes `request` to the server at `url` and resolves when the server closes the connection. */
export function sendRaw(
  url: string,
  request: string | Buffer,
  timeoutMs = 15_000,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) })
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no complete answer within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.on('data', (d: Buffer) => chunks.push(d))
    // The server may reset the socket right after answering a malformed request.
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      try {
        resolve(parseAnswer(Buffer.concat(chunks)))
      } catch (error) {
        reject(error as Error)
      }
    })
    socket.write(request)
  })
}

/** A request with `Connection: close`, so the server ends the socket after answering. */
export function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): string {
  const all: Record<string, string> = { connection: 'close', ...headers }
  if (body !== undefined) all['content-length'] = String(Buffer.byteLength(body))
  const head = Object.entries(all)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')
  return `${method} ${path} HTTP/1.1\r\n${head}\r\n${body ?? ''}`
}

function parseAnswer(bytes: Buffer): RawAnswer {
  const raw = bytes.toString('utf8')
  const split = bytes.indexOf('\r\n\r\n')
  if (split < 0) throw new Error(`not an HTTP answer: ${JSON.stringify(raw.slice(0, 200))}`)
  const [statusLine = '', ...lines] = bytes.subarray(0, split).toString('latin1').split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1])
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const rest = bytes.subarray(split + 4)
  const body = headers['transfer-encoding'] === 'chunked' ? unchunk(rest) : rest
  return { status, headers, body: body.toString('utf8'), raw }
}

function unchunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const eol = bytes.indexOf('\r\n', at)
    const size = parseInt(bytes.subarray(at, eol).toString('latin1'), 16)
    if (!(size > 0)) return Buffer.concat(parts)
    parts.push(bytes.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
}
