// `npm start`: build the app, then run it in Electron. The electron package does not download its binary at
// install time; its own downloader is tried here first, and where that fails too this says so plainly.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { build } from 'electron-vite';

const require = createRequire(import.meta.url);

/**
 * Why the download failed, in a few words: the error line it printed ("fetch failed", "404 ...").
 * @param {string} stderr
 */
function downloadFailure(stderr) {
  const message = stderr.split('\n').find((line) => /^\w*Error\b/.test(line.trim()));
  return (message ?? stderr.trim().split('\n')[0] ?? 'no reason given').replace(/^\w*Error:\s*/, '').trim();
}

// install.js exits 0 at once when the binary is already there, otherwise it downloads it. Its error is a raw
// stack: it is kept, and told in one line.
const install = spawnSync(process.execPath, [require.resolve('electron/install.js')], { stdio: ['inherit', 'inherit', 'pipe'], encoding: 'utf8' });
if (install.status !== 0) {
  console.error(
    `Electron is not installed here: its binary could not be downloaded (${downloadFailure(install.stderr ?? '')}). ` +
      '`npm run start:browser` runs the same app in a browser.',
  );
  process.exit(1);
}

await build();

/** @type {string} the electron package exports the path of its executable */
const electronPath = require('electron');
const app = spawn(electronPath, ['.'], { stdio: 'inherit' });
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => app.kill(signal));
app.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
