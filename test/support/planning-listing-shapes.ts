/**
 * The query shapes of GET /tasks by the planning fields (due date, priority,
 * labels) over a table seeded as `npm run seed` seeds it (two tasks in five
 * with a due date, priorities 50/20/15/10/5 %, up to three labels), with what
 * each plan must do (listing-plans.test.ts).
 */
import { admin, bob, cursorAt, query, type Shape, since } from './listing-queries.ts';

const until = (days: number) => since(-days);
const DUE_INDEXES = ['tasks_due_at_idx', 'tasks_due_at_desc_idx'];
const OWNER_DUE_INDEXES = ['tasks_owner_due_at_idx', 'tasks_owner_due_at_desc_idx'];
const LABEL_WALK = ['task_labels_pkey'];
/** A label walk's page: its rows of task_labels and their tasks (21 each), and the label's counts looked up. */
const LABEL_PAGE_ROWS = 50;

export function planningShapes(rows: number): Shape[] {
  const halfway = Math.floor(rows / 2);
  const early = Math.floor(rows / 5);
  const ownTasks = async (pool: Parameters<Shape['query']>[0]) => {
    const { rows: counted } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tasks WHERE owner_id = $1',
      [bob.subject],
    );
    return counted[0]?.n ?? 0;
  };
  return [
    ...(['due_at', '-due_at'] as const).flatMap((sort): Shape[] => [
      {
        name: `sort=${sort}`,
        caller: admin,
        query: () => query({ sort }),
        expect: 'ordered',
        indexes: DUE_INDEXES,
      },
      {
        name: `user bob, sort=${sort}`,
        caller: bob,
        query: () => query({ sort }),
        expect: 'ordered',
        indexes: OWNER_DUE_INDEXES,
      },
      // Three tasks in five have no due date: halfway is among them, a fifth in is among the dated ones.
      ...[early, halfway].map(
        (depth): Shape => ({
          name: `cursor at depth ${depth} (${sort})`,
          caller: admin,
          query: async (pool) => query({ sort, cursor: await cursorAt(pool, sort, depth) }),
          expect: 'ordered',
          indexes: DUE_INDEXES,
          maxRowsRead: 11,
        }),
      ),
      {
        name: `cursor halfway through bob's tasks (${sort})`,
        caller: bob,
        query: async (pool) =>
          query({
            sort,
            cursor: await cursorAt(pool, sort, Math.floor((await ownTasks(pool)) / 2), 'owner_id = $1', [
              bob.subject,
            ]),
          }),
        expect: 'ordered',
        indexes: OWNER_DUE_INDEXES,
        maxRowsRead: 11,
      },
      {
        name: `due_after + due_before (a week, a year ago), sort=${sort}`,
        caller: admin,
        query: () => query({ sort, due_after: since(365), due_before: since(358) }),
        expect: 'ordered',
        indexes: DUE_INDEXES,
      },
      {
        name: `overdue=true, sort=${sort}`,
        caller: admin,
        query: () => query({ sort, overdue: true }),
        expect: 'ordered',
        indexes: DUE_INDEXES,
      },
      {
        name: `user bob, overdue=true, sort=${sort}`,
        caller: bob,
        query: () => query({ sort, overdue: true }),
        expect: 'ordered',
        indexes: OWNER_DUE_INDEXES,
      },
    ]),
    ...(['priority', '-priority'] as const).flatMap((sort): Shape[] => [
      {
        name: `sort=${sort}`,
        caller: admin,
        query: () => query({ sort }),
        expect: 'ordered',
        indexes: ['tasks_priority_idx'],
      },
      {
        name: `user bob, sort=${sort}`,
        caller: bob,
        query: () => query({ sort }),
        expect: 'ordered',
        indexes: ['tasks_owner_priority_idx'],
      },
      {
        name: `cursor at depth ${halfway} (${sort})`,
        caller: admin,
        query: async (pool) => query({ sort, cursor: await cursorAt(pool, sort, halfway) }),
        expect: 'ordered',
        indexes: ['tasks_priority_idx'],
        maxRowsRead: 11,
      },
      {
        name: `priority=high,urgent, sort=${sort}`,
        caller: admin,
        query: () => query({ sort, priority: 'high,urgent' }),
        expect: 'ordered',
        indexes: ['tasks_priority_idx'],
      },
    ]),
    {
      name: 'priority=urgent',
      caller: admin,
      query: () => query({ priority: 'urgent' }),
      expect: 'no-seq-scan',
    },
    {
      name: 'user bob, priority=high,urgent',
      caller: bob,
      query: () => query({ priority: 'high,urgent' }),
      expect: 'no-seq-scan',
    },
    { name: 'overdue=true', caller: admin, query: () => query({ overdue: true }), expect: 'no-seq-scan' },
    { name: 'overdue=false', caller: admin, query: () => query({ overdue: false }), expect: 'no-seq-scan' },
    {
      name: 'user bob, overdue=true',
      caller: bob,
      query: () => query({ overdue: true }),
      expect: 'no-seq-scan',
    },
    // Documented cost: a due-date range under a sort by creation reads the newer tasks first
    // (a due date follows its creation, which the planner cannot know), printed for the record.
    {
      name: 'due_before (a year ago)',
      caller: admin,
      query: () => query({ due_before: since(365) }),
      expect: 'report',
    },
    {
      name: 'due_after (a week from now)',
      caller: admin,
      query: () => query({ due_after: until(7) }),
      expect: 'no-seq-scan',
    },
    // A label in time order: a walk of its own rows (task_labels), as long as the page whatever
    // the label's share; of two labels, the one on fewer tasks, the other checked on each.
    {
      name: 'label=backend (common)',
      caller: admin,
      query: () => query({ label: 'backend' }),
      expect: 'ordered',
      indexes: LABEL_WALK,
      maxRowsRead: LABEL_PAGE_ROWS,
    },
    {
      name: 'label=ux (rare)',
      caller: admin,
      query: () => query({ label: 'UX' }),
      expect: 'ordered',
      indexes: LABEL_WALK,
      maxRowsRead: LABEL_PAGE_ROWS,
    },
    {
      name: 'label=ux, cursor halfway (created_at)',
      caller: admin,
      query: async (pool) =>
        query({ label: 'ux', sort: 'created_at', cursor: await cursorAt(pool, 'created_at', halfway) }),
      expect: 'ordered',
      indexes: LABEL_WALK,
      maxRowsRead: LABEL_PAGE_ROWS,
    },
    {
      name: 'label=bug,finance (both)',
      caller: admin,
      query: () => query({ label: 'bug,finance' }),
      expect: 'ordered',
      indexes: LABEL_WALK,
    },
    // A label no task has: the label counts end the listing before a task is read (the plan
    // alone would walk the created_at index to its end looking for one).
    {
      name: 'label=nosuchlabel (none)',
      caller: admin,
      query: () => query({ label: 'nosuchlabel' }),
      expect: 'no-seq-scan',
      maxRowsRead: 1,
    },
    {
      name: 'user bob, label=backend,nosuchlabel (one absent)',
      caller: bob,
      query: () => query({ label: 'backend,nosuchlabel' }),
      expect: 'no-seq-scan',
      maxRowsRead: 2,
    },
    {
      name: 'user bob, label=ops',
      caller: bob,
      query: () => query({ label: 'ops' }),
      expect: 'ordered',
      indexes: ['task_labels_owner_idx'],
      maxRowsRead: LABEL_PAGE_ROWS,
    },
    {
      name: 'label=security, sort=due_at',
      caller: admin,
      query: () => query({ label: 'security', sort: 'due_at' }),
      expect: 'no-seq-scan',
    },
  ];
}
