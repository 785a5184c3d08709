/**
 * Which port the embedded PostgreSQL of a DATA_DIR listens on. Unless
 * EMBEDDED_DATABASE_PORT fixes one, it is the port remembered in
 * DATA_DIR/postgres-port, else 54329; when that one is taken (another clone's
 * start, another checkout's tests) the next free port above it is taken and
 * remembered, so the tools (`npm run seed`, `migrate`, `dead-letters`) find
 * the same database as the running server.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { probeListen } from '../listen-probe.ts';

export const DEFAULT_EMBEDDED_PORT = 54329;
/** How far above the preferred port a free one is looked for. */
const PORTS_TRIED = 100;

const portFile = (dataDir: string) => path.join(dataDir, 'postgres-port');

/** The port this DATA_DIR's PostgreSQL was last started on (or the default for a new one). */
export async function rememberedPort(dataDir: string): Promise<number> {
  const text = await readFile(portFile(dataDir), 'utf8').catch(() => '');
  const port = Number.parseInt(text.trim(), 10);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : DEFAULT_EMBEDDED_PORT;
}

export async function rememberPort(dataDir: string, port: number): Promise<void> {
  await writeFile(portFile(dataDir), `${port}\n`);
}

/** Whether nothing listens on 127.0.0.1:port (where the embedded PostgreSQL binds). */
export function isFree(port: number): Promise<boolean> {
  return probeListen('127.0.0.1', port).then(
    () => true,
    () => false,
  );
}

/** The first free port from `preferred` upwards. */
export async function freePortFrom(preferred: number): Promise<number> {
  for (let port = preferred; port < Math.min(preferred + PORTS_TRIED, 65536); port += 1) {
    if (await isFree(port)) return port;
  }
  throw new Error(
    `no free port for the embedded PostgreSQL in ${preferred}-${preferred + PORTS_TRIED - 1}; set EMBEDDED_DATABASE_PORT`,
  );
}
