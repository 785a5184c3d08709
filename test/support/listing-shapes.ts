/**
 * Every query shape the API issues for GET /tasks, over a table seeded as
 * `npm run seed` seeds it, with what its plan must do (listing-plans.test.ts).
 */
import {
  admin,
  bob,
  cursorAt,
  query,
  type Shape,
  STATUS_INDEXES,
  since,
  TAIL_OWNER,
} from './listing-queries.ts';
import { planningShapes } from './planning-listing-shapes.ts';

/** The shapes on a table of `rows` tasks (deep cursors start halfway). */
export function listingShapes(rows: number): Shape[] {
  const halfway = Math.floor(rows / 2);
  return [
    {
      name: 'default page (-created_at)',
      caller: admin,
      query: () => query(),
      expect: 'ordered',
      indexes: ['tasks_created_at_idx'],
    },
    {
      name: 'sort=created_at',
      caller: admin,
      query: () => query({ sort: 'created_at' }),
      expect: 'ordered',
      indexes: ['tasks_created_at_idx'],
    },
    {
      name: 'sort=-updated_at',
      caller: admin,
      query: () => query({ sort: '-updated_at' }),
      expect: 'ordered',
      indexes: ['tasks_updated_at_idx'],
    },
    {
      name: 'sort=updated_at',
      caller: admin,
      query: () => query({ sort: 'updated_at' }),
      expect: 'ordered',
      indexes: ['tasks_updated_at_idx'],
    },
    {
      name: 'status=in_progress',
      caller: admin,
      query: () => query({ status: 'in_progress' }),
      expect: 'ordered',
      indexes: STATUS_INDEXES,
    },
    {
      name: 'status=done, sort=created_at',
      caller: admin,
      query: () => query({ status: 'done', sort: 'created_at' }),
      expect: 'ordered',
      indexes: STATUS_INDEXES,
    },
    {
      name: 'status=todo, sort=-updated_at',
      caller: admin,
      query: () => query({ status: 'todo', sort: '-updated_at' }),
      expect: 'ordered',
      indexes: ['tasks_updated_at_idx'],
    },
    {
      name: 'status=todo,in_progress (multi-status)',
      caller: admin,
      query: () => query({ status: 'todo,in_progress' }),
      expect: 'no-seq-scan',
    },
    {
      name: 'owner_id (admin, tail owner)',
      caller: admin,
      query: () => query({ owner_id: TAIL_OWNER }),
      expect: 'ordered',
      indexes: ['tasks_owner_created_at_idx'],
    },
    {
      name: 'owner_id + status=done (admin)',
      caller: admin,
      query: () => query({ owner_id: TAIL_OWNER, status: 'done' }),
      expect: 'ordered',
    },
    {
      name: 'user bob (own tasks)',
      caller: bob,
      query: () => query(),
      expect: 'ordered',
      indexes: ['tasks_owner_created_at_idx'],
    },
    {
      name: 'user bob, sort=-updated_at',
      caller: bob,
      query: () => query({ sort: '-updated_at' }),
      expect: 'ordered',
      indexes: ['tasks_owner_updated_at_idx'],
    },
    {
      name: 'user bob, status=in_progress',
      caller: bob,
      query: () => query({ status: 'in_progress' }),
      expect: 'ordered',
    },
    {
      name: 'user bob, status=todo,done',
      caller: bob,
      query: () => query({ status: 'todo,done' }),
      expect: 'no-seq-scan',
    },
    {
      name: `cursor at depth ${halfway} (-created_at)`,
      caller: admin,
      query: async (pool) => query({ cursor: await cursorAt(pool, '-created_at', halfway) }),
      expect: 'ordered',
      indexes: ['tasks_created_at_idx'],
      maxRowsRead: 11,
    },
    {
      name: `cursor at depth ${halfway} (created_at)`,
      caller: admin,
      query: async (pool) =>
        query({ sort: 'created_at', cursor: await cursorAt(pool, 'created_at', halfway) }),
      expect: 'ordered',
      indexes: ['tasks_created_at_idx'],
      maxRowsRead: 11,
    },
    {
      name: `cursor at depth ${halfway} (-updated_at)`,
      caller: admin,
      query: async (pool) =>
        query({ sort: '-updated_at', cursor: await cursorAt(pool, '-updated_at', halfway) }),
      expect: 'ordered',
      indexes: ['tasks_updated_at_idx'],
      maxRowsRead: 11,
    },
    {
      name: 'cursor deep in status=done (-created_at)',
      caller: admin,
      query: async (pool) =>
        query({
          status: 'done',
          cursor: await cursorAt(pool, '-created_at', Math.floor(rows * 0.2), "status = 'done'"),
        }),
      expect: 'ordered',
      indexes: STATUS_INDEXES,
      // Through the status index: the page; through created_at filtering on status: about page / 45%.
      maxRowsRead: 60,
    },
    {
      name: "cursor halfway through bob's tasks",
      caller: bob,
      query: async (pool) => {
        const { rows } = await pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM tasks WHERE owner_id = $1',
          [bob.subject],
        );
        const depth = Math.floor((rows[0]?.n ?? 0) / 2);
        return query({ cursor: await cursorAt(pool, '-created_at', depth, 'owner_id = $1', [bob.subject]) });
      },
      expect: 'ordered',
      indexes: ['tasks_owner_created_at_idx'],
      maxRowsRead: 11,
    },
    {
      name: 'created_after + created_before (a month, a year ago)',
      caller: admin,
      query: () => query({ created_after: since(395), created_before: since(365) }),
      expect: 'ordered',
      indexes: ['tasks_created_at_idx'],
    },
    {
      name: 'created_after (last week)',
      caller: admin,
      query: () => query({ created_after: since(7) }),
      expect: 'ordered',
      indexes: ['tasks_created_at_idx'],
    },
    {
      name: 'created_before (a year ago), sort=created_at',
      caller: admin,
      query: () => query({ created_before: since(365), sort: 'created_at' }),
      expect: 'ordered',
      indexes: ['tasks_created_at_idx'],
    },
    {
      name: 'q=report (common word)',
      caller: admin,
      query: () => query({ q: 'report' }),
      expect: 'no-seq-scan',
    },
    {
      name: 'q=glossary (rarer word)',
      caller: admin,
      query: () => query({ q: 'glossary' }),
      expect: 'no-seq-scan',
    },
    {
      name: 'q=Emeka Yamamoto (a rare name)',
      caller: admin,
      query: () => query({ q: 'Emeka Yamamoto' }),
      expect: 'no-seq-scan',
    },
    {
      name: 'q=kubernetes (no match)',
      caller: admin,
      query: () => query({ q: 'kubernetes' }),
      expect: 'no-seq-scan',
    },
    {
      name: 'q=xyz (three letters, no match)',
      caller: admin,
      query: () => query({ q: 'xyz' }),
      expect: 'no-seq-scan',
    },
    {
      name: 'q=data model (two words)',
      caller: admin,
      query: () => query({ q: 'data model' }),
      expect: 'no-seq-scan',
    },
    { name: 'user bob, q=invoice', caller: bob, query: () => query({ q: 'invoice' }), expect: 'no-seq-scan' },
    {
      name: 'q=report, status=done',
      caller: admin,
      query: () => query({ q: 'report', status: 'done' }),
      expect: 'no-seq-scan',
    },
    // Documented costs, printed for the record.
    {
      name: `skip=${halfway} (offset pagination)`,
      caller: admin,
      query: () => query({ skip: halfway }),
      expect: 'report',
    },
    {
      name: 'created_before (a year ago), sort=-updated_at',
      caller: admin,
      query: () => query({ created_before: since(365), sort: '-updated_at' }),
      expect: 'report',
    },
    {
      name: 'created_after (last month), sort=updated_at',
      caller: admin,
      query: () => query({ created_after: since(30), sort: 'updated_at' }),
      expect: 'report',
    },
    {
      name: 'created_after + created_before (a month, a year ago), sort=-updated_at',
      caller: admin,
      query: () => query({ created_after: since(395), created_before: since(365), sort: '-updated_at' }),
      expect: 'report',
    },
    ...planningShapes(rows),
  ];
}
