/** A loopback webhook receiver (node:http, port 0) that records every POST it gets. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedPost {
  status: number
  contentType: string | undefined
  body: unknown
}

export interface WebhookReceiver {
  url: string
  posts: ReceivedPost[]
  close(): Promise<void>
}

/** Answers the first `failFirst` POSTs with 500, every later one with 200. */
export async function startWebhookReceiver(options: { failFirst?: number } = {}) {
  const posts: ReceivedPost[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const status = posts.length < (options.failFirst ?? 0) ? 500 : 200
      let body: unknown
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        body = Buffer.concat(chunks).toString('utf8')
      }
      posts.push({ status, contentType: req.headers['content-type'], body })
      res.writeHead(status, { 'content-type': 'text/plain' })
      res.end(status === 200 ? 'ok' : 'down')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${port}/hooks/alerts`,
    posts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      }),
  }
  return receiver
}
