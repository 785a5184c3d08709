/**
 * `npm run build:web` (a part of `npm run build`): builds the web app
 * (web/ -> web/dist) with Vite. Whether a build is needed is decided in one
 * place for everything built, scripts/build-if-stale.mjs (at install, and
 * before every start or tool when a source changed). Build output is never
 * committed.
 */
import { statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const webDir = path.join(root, 'web');
const outDir = path.join(webDir, 'dist');

export async function buildWeb(): Promise<void> {
  // Loaded only when a build is needed: a production image has the built app and no Vite.
  const { build } = await import('vite');
  await build({ configFile: path.join(webDir, 'vite.config.ts'), logLevel: 'warn' });
}

if (process.argv[1] === import.meta.filename) {
  const started = Date.now();
  process.stdout.write(`Building the web app (${path.relative(root, outDir)}) …\n`);
  await buildWeb();
  const size = statSync(path.join(outDir, 'index.html')).size;
  process.stdout.write(
    `Web app built in ${((Date.now() - started) / 1000).toFixed(1)} s (index.html ${size} B)\n`,
  );
}
