import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The renderer: built to dist/renderer, loaded by the Electron window from file:// and served by the
 * browser dashboard (main/core/dashboard/server.ts). `base: './'` keeps every asset URL relative, which
 * both need. No inline script or style is emitted, so the strict CSP (script-src 'self') holds.
 */
export default defineConfig({
  root: here('./renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill is only for browsers without <link rel=modulepreload>; Chromium and Electron have it.
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
});
