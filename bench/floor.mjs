// The floor the collection-cost bench compares against: fetch exactly these URLs with the same
// concurrency and write each body to a file, nothing else. Plain JavaScript on purpose (no tsx).
// Usage: node bench/floor.mjs <urls.json> <out-dir> <concurrency>; prints its own CPU as JSON.
/* global fetch */
import { Buffer } from 'node:buffer'
import { readFile, writeFile } from 'node:fs/promises'
import process from 'node:process'
import path from 'node:path'

const [urlsFile, outDir, inFlight] = process.argv.slice(2)
const urls = JSON.parse(await readFile(urlsFile, 'utf8'))
let next = 0
let bytes = 0
async function worker() {
  while (next < urls.length) {
    const i = next++
    const body = Buffer.from(await (await fetch(urls[i])).arrayBuffer())
    bytes += body.length
    await writeFile(path.join(outDir, `${i}.csv`), body)
  }
}
await Promise.all(Array.from({ length: Number(inFlight) }, worker))
const u = process.resourceUsage()
process.stdout.write(
  `${JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, bytes, requests: urls.length })}\n`,
)
