/**
 * Builds the web page (docs/architecture.md#web-page) from `src/web` into `dist/web`, which the server serves at `/`.
 * `npm run dev:web` serves it with hot reload and forwards `/api` to a server on port 5001.
 */
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const WEB_ROOT = fileURLToPath(new URL('./src/web/', import.meta.url))
const WEB_OUT_DIR = fileURLToPath(new URL('./dist/web/', import.meta.url))

export default defineConfig({
  root: WEB_ROOT,
  base: '/',
  plugins: [react()],
  build: { outDir: WEB_OUT_DIR, emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/api': 'http://127.0.0.1:5001' } },
})
