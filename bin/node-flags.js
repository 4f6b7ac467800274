// The V8 flags every start of the server and the CLI runs with: `npm start`, `npm run demo`,
// `npm run cli` and `npm run sim` pass them, the `tm-backfill` bin's first line passes them, and
// the tests and benches start the compiled build with them (docs/performance.md#heap-cap).
// Plain JavaScript with no dependencies, like build-stamp.js beside it.

/**
 * A heap cap of 1.5 GiB instead of V8's default of about a sixth of the machine's memory (4 GiB
 * on a 24 GB machine). The cap is what V8 sizes its heap growth by: under 2 GiB it lets the old
 * generation grow by a factor of about 1.8 before a full collection instead of 4, so the
 * short-lived report data a job promotes is collected sooner. Peak RSS of a 90-date × 10-district
 * job: 220–228 MiB without it, 160 MiB with it, at no measurable CPU cost. The heap a job keeps is
 * 30–60 MiB, so the cap leaves ten times that.
 */
export const NODE_FLAGS = ['--max-old-space-size=1536']
