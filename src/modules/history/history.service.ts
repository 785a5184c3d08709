/**
 * Who may read a task's history, and its pages. Whoever may read the task
 * reads its history; once the task is deleted, only an admin (the audit
 * trail outlives the task, but not the owner's or a viewer's access).
 */
import { canSee } from '../../auth/policy.ts';
import type { Principal } from '../../auth/principal.ts';
import { taskNotFound } from '../../errors/app-error.ts';
import type { Queryable } from '../../infra/db/database.ts';
import { invalidCursor, isUuid } from '../tasks/tasks.cursor.ts';
import { historyPage, ownerOf } from './history.repository.ts';
import type { HistoryQuery, TaskHistoryPage } from './history.schemas.ts';

/** Opaque to clients (base64url JSON): the version the next page starts below. */
const encodeCursor = (version: number) => Buffer.from(JSON.stringify(['h', version])).toString('base64url');

function decodeCursor(cursor: string): number {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== 'h') throw invalidCursor();
  const version = decoded[1];
  if (!Number.isInteger(version) || version < 2 || version > 2_147_483_647) throw invalidCursor();
  return version as number;
}

export class HistoryService {
  /** `primary`: a history read right after a write shows that write. */
  constructor(private readonly primary: Queryable) {}

  async page(principal: Principal, id: string, query: HistoryQuery): Promise<TaskHistoryPage> {
    if (!isUuid(id)) throw taskNotFound();
    const taskId = id.toLowerCase();
    const beforeVersion = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const owner = await ownerOf(this.primary, taskId);
    const readable =
      owner === undefined
        ? false
        : owner === null
          ? principal.roles.has('admin')
          : canSee(principal, { owner_id: owner });
    if (!readable) throw taskNotFound();
    const rows = await historyPage(this.primary, taskId, beforeVersion, query.limit);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return { items, next_cursor: rows.length > query.limit && last ? encodeCursor(last.version) : null };
  }
}
