/**
 * The web app's build. It is served by the API under APP_BASE (see
 * src/http/web-app.ts), so every asset URL carries that prefix; hashed file
 * names let the server cache them for a year.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export const APP_BASE = '/app/';

export default defineConfig({
  root: import.meta.dirname,
  base: APP_BASE,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Assets inlined as data: URLs would need a looser CSP (img-src data:); keep them files.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development: the API on :8000 answers the app's calls.
    port: 5173,
    proxy: {
      '/tasks': 'http://localhost:8000',
      '/labels': 'http://localhost:8000',
      '/realms': 'http://localhost:8000',
    },
  },
});
