import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { version } from './package.json';

export default defineConfig({
  main: {
    build: {
      // npm dependencies (lmdb is native) stay require()d from node_modules instead of being bundled.
      externalizeDeps: true,
      rolldownOptions: {
        input: {
          index: resolve('src-main/index.ts'),
          // The offline voice engine's worker thread, loaded at run time as ./offline-worker.js next to index.js.
          'offline-worker': resolve('src-main/services/tts/engines/offline-worker.js'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can load no npm package and no ES module: bundle everything into one CommonJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src-main/preload/index.ts') },
        output: { format: 'cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    plugins: [react()],
    // The browser host's bridge reports the version the preload reads from package.json (src-renderer/env.d.ts).
    define: { __APP_VERSION__: JSON.stringify(version) },
    build: {
      rolldownOptions: { input: resolve('src-renderer/index.html') },
    },
  },
});
