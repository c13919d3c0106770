import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console is built to console/dist and served by the API under /console/ (same origin, so no CORS
 * and the API's own headers). It imports the domain's zod schemas, so a form validates exactly as the
 * API will.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 3000,
    rolldownOptions: {
      // Ant Design marks its modules "use client" for server-rendering frameworks; meaningless in a plain SPA.
      onLog(level, log, handler) {
        if (log.code !== 'MODULE_LEVEL_DIRECTIVE') handler(level, log);
      },
      output: {
        // Libraries change less often than the console: a separate, long-cached chunk.
        codeSplitting: { groups: [{ name: 'charts', test: /node_modules[\\/]@(antv|ant-design[\\/]plots)/ }, { name: 'vendor', test: /node_modules/ }] },
      },
    },
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
