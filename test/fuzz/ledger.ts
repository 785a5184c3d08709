/**
 * What the fuzz run was told it wrote: each task's owner, its latest
 * acknowledged version and body, and the deletions. The plans' targets are
 * resolved from it, and at the end it is held against the database: every
 * acknowledged write is there, and nothing else changed a task.
 */
import type pg from 'pg';
import type { Target } from './requests.ts';

export interface TaskBody {
  id: string;
  owner_id: string;
  version: number;
  [field: string]: unknown;
}

export class Ledger {
  readonly owners = new Map<string, string>();
  readonly versions = new Map<string, number>();
  readonly bodies = new Map<string, TaskBody>();
  readonly deleted = new Set<string>();
  acknowledgedWrites = 0;

  /** A task the server said it stored (a 201, a 200 of PUT or PATCH). */
  stored(task: TaskBody): void {
    this.acknowledgedWrites += 1;
    this.owners.set(task.id, task.owner_id);
    if (task.version >= (this.versions.get(task.id) ?? 0)) {
      this.versions.set(task.id, task.version);
      this.bodies.set(task.id, task);
    }
  }

  /** Tasks an import created: owner and version 1 known, the rest as sent. */
  imported(ids: string[], owner: string | undefined): void {
    this.acknowledgedWrites += ids.length;
    for (const id of ids) {
      if (owner) this.owners.set(id, owner);
      this.versions.set(id, Math.max(this.versions.get(id) ?? 0, 1));
    }
  }

  removed(id: string): void {
    this.acknowledgedWrites += 1;
    this.deleted.add(id);
  }

  private alive(owner: (id: string) => boolean): string[] {
    return [...this.versions.keys()].filter((id) => !this.deleted.has(id) && owner(id));
  }

  /** The id a plan's target names for a caller whose subject is `subject` (any task's for admins and viewers). */
  resolve(target: Target, subject: string | undefined, seesAll: boolean): string | undefined {
    if (target.pool === 'unknown') return target.id;
    if (target.pool === 'raw') return undefined;
    const ownerOf = (id: string) => this.owners.get(id);
    const pool =
      target.pool === 'deleted'
        ? [...this.deleted]
        : target.pool === 'own'
          ? this.alive((id) => seesAll || ownerOf(id) === subject)
          : this.alive((id) => ownerOf(id) !== subject);
    return pool.length === 0 ? undefined : pool[target.index % pool.length];
  }

  /** Every difference between what was acknowledged and what the database holds. */
  async differencesFrom(db: pg.Pool, readAsAdmin: (id: string) => Promise<unknown>): Promise<string[]> {
    const ids = [...this.versions.keys()];
    const { rows } = await db.query<{ id: string; version: number }>(
      'SELECT id::text, version FROM tasks WHERE id = ANY($1::uuid[])',
      [ids],
    );
    const stored = new Map(rows.map((row) => [row.id, Number(row.version)]));
    const differences: string[] = [];
    for (const id of ids) {
      const version = stored.get(id);
      if (this.deleted.has(id)) {
        if (version !== undefined) differences.push(`task ${id}: deleted (204) but still in the database`);
        continue;
      }
      const acknowledged = this.versions.get(id) ?? 0;
      if (version === undefined)
        differences.push(`task ${id}: acknowledged at version ${acknowledged}, not in the database`);
      else if (version !== acknowledged)
        differences.push(
          `task ${id}: acknowledged at version ${acknowledged}, the database has version ${version}`,
        );
      else if (this.bodies.get(id)?.version === version) {
        const read = await readAsAdmin(id);
        if (JSON.stringify(read) !== JSON.stringify(this.bodies.get(id)))
          differences.push(
            `task ${id}: reads ${JSON.stringify(read)}, acknowledged ${JSON.stringify(this.bodies.get(id))}`,
          );
      }
    }
    return differences;
  }
}
