import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The client library is bundled from its sources (tree-shaken; no build order between packages).
export default defineConfig({
  base: '/',
  resolve: {
    alias: {
      '@tessera/client': fileURLToPath(new URL('../client/src/index.ts', import.meta.url)),
    },
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
