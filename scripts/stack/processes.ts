/**
 * Running the stack's server binaries: PostgreSQL and PgBouncer refuse to
 * run as root, so as root they run as the `postgres` system user.
 */
import { execFile } from 'node:child_process';
import { chown, mkdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const isRoot = userInfo().uid === 0;

export async function run(command: string, args: string[], options: { asPostgres?: boolean } = {}) {
  const [file, argv] =
    options.asPostgres && isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  try {
    const { stdout } = await execFileAsync(file, argv, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stderr ?? ''}${stdout ?? ''}`, { cause: error });
  }
}

/** A folder the server processes (the postgres user, when root) may write in. */
export async function serverDirectory(dir: string): Promise<void> {
  // Parents too must be traversable by the postgres user; PostgreSQL tightens its data folders itself.
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (!isRoot) return;
  const { uid, gid } = await postgresIds();
  await chown(dir, uid, gid);
}

let ids: { uid: number; gid: number } | undefined;
async function postgresIds() {
  ids ??= {
    uid: Number((await run('id', ['-u', 'postgres'])).trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).trim()),
  };
  return ids;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
