// `npm start`: build the app, then run it in Electron. The electron package does not download its binary at
// install time; its own downloader is tried here first, and where that fails too this says so plainly.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { build } from 'electron-vite';

const require = createRequire(import.meta.url);

// install.js exits 0 at once when the binary is already there, otherwise it downloads it.
const install = spawnSync(process.execPath, [require.resolve('electron/install.js')], { stdio: 'inherit' });
if (install.status !== 0) {
  console.error('The Electron binary is unavailable on this machine; `npm run start:browser` starts the app in a browser instead.');
  process.exit(1);
}

await build();

/** @type {string} the electron package exports the path of its executable */
const electronPath = require('electron');
const app = spawn(electronPath, ['.'], { stdio: 'inherit' });
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => app.kill(signal));
app.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
