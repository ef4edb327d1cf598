// Development: Vite serves the app and proxies the API (run the API with `pnpm dev` beside it), so the session
// cookie is same-origin. Production: `vite build` writes dist/, which the API serves itself (WEB_DIST_DIR); `pnpm
// start` builds it when it is missing or stale (scripts/web-build.ts).
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.PARLEY_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    port: 5173,
    proxy: { '/trpc': api, '/api': api },
  },
  // The largest chunks are grammars for code highlighting (C++ ~800 kB), each loaded only when a block needs it.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
});
