/**
 * The seed's own stack (`bench/peer/app.py`: FastAPI + Uvicorn with 2
 * workers, asyncpg, Redis cache-aside keyed by skip/limit), started on the
 * bench's database for `--peer`. It runs on Debian's Python packages
 * (python3-fastapi, python3-uvicorn, python3-asyncpg, python3-redis;
 * python3-uvloop and python3-httptools when installed, which Uvicorn then
 * uses as `uvicorn[standard]` would); without them the bench says so and
 * skips it. Nothing else (CI included) needs them.
 */
import { execFile } from 'node:child_process';
import { startPrivateRedis } from '../../test/support/private-redis.ts';
import { type Started, startProcess } from './processes.ts';

/** Debian's interpreter, where its python3-* packages are (not a pyenv or venv one first on PATH). */
const PYTHON = '/usr/bin/python3';
const PACKAGES = ['fastapi', 'uvicorn', 'asyncpg', 'redis'];
const PEER_WORKERS = 2;

/** Why the peer cannot run here, or undefined when it can; also which event loop and HTTP parser it gets. */
export function peerAvailability(): Promise<{ missing?: string; runtime: string }> {
  const probe = `
import importlib.util as u
missing = [p for p in ${JSON.stringify(PACKAGES)} if u.find_spec(p) is None]
print(' '.join(missing) if missing else '', end='|')
print('uvloop' if u.find_spec('uvloop') else 'asyncio', 'httptools' if u.find_spec('httptools') else 'h11')`;
  return new Promise((resolve) => {
    execFile(PYTHON, ['-c', probe], (error, stdout) => {
      if (error) return resolve({ missing: `${PYTHON} does not run (${error.message})`, runtime: '' });
      const [missing = '', runtime = ''] = stdout.split('|');
      resolve({
        missing: missing
          ? `missing Python packages: ${missing} (apt-get install ${missing
              .split(' ')
              .map((name) => `python3-${name}`)
              .join(' ')})`
          : undefined,
        runtime: runtime.trim(),
      });
    });
  });
}

/** The peer on `port` against `databaseUrl`, with its own Redis; `cache: false` turns its cache-aside off. */
export async function startPeer(databaseUrl: string, port: number, cache: boolean): Promise<Started> {
  const redis = await startPrivateRedis();
  try {
    const peer = await startProcess(
      [
        '-m',
        'uvicorn',
        'app:app',
        '--app-dir',
        'bench/peer',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--workers',
        String(PEER_WORKERS),
        // Our API logs fast reads at debug; the peer gets the same courtesy.
        '--no-access-log',
        '--log-level',
        'warning',
      ],
      {
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        CACHE_TTL_SECONDS: cache ? '300' : '0',
        // No __pycache__ left in the work tree.
        PYTHONDONTWRITEBYTECODE: '1',
      },
      `http://127.0.0.1:${port}/health`,
      PYTHON,
    );
    return {
      child: peer.child,
      async stop() {
        try {
          await peer.stop();
        } finally {
          await redis.stop();
        }
      },
    };
  } catch (error) {
    await redis.stop();
    throw error;
  }
}
