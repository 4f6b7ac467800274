/**
 * A real HTTP server on 127.0.0.1:0 for client tests. It records every request and lets each
 * test answer however it likes, including never answering or resetting the connection.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

export interface RecordedRequest {
  /** Path without query, e.g. `/export.aspx` or `/2023-2024/export.aspx`. */
  path: string
  /** The decoded `report` query parameter. */
  token: string | null
  /** The raw request target as sent. */
  rawUrl: string
  userAgent: string | undefined
}

export type TestHandler = (
  request: RecordedRequest,
  res: ServerResponse,
  req: IncomingMessage,
) => void

export interface TestUpstream {
  baseUrl: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

export async function startTestUpstream(handler: TestHandler): Promise<TestUpstream> {
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const recorded: RecordedRequest = {
      path: url.pathname,
      token: url.searchParams.get('report'),
      rawUrl: req.url ?? '',
      userAgent: req.headers['user-agent'],
    }
    requests.push(recorded)
    handler(recorded, res, req)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Hanging test responses would keep close() waiting forever.
        for (const socket of sockets) socket.destroy()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

export function sendCsv(res: ServerResponse, body: string, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/octet-stream' })
  res.end(body)
}
