/**
 * The SQL of one `GET /tasks` listing page: its clauses, and the page read
 * alone. Many listings of one shape in one statement: tasks.listing-batches.ts.
 */
import type { ListingQuery } from './tasks.query.ts';
import { TASK_COLUMNS, taskFields } from './tasks.repository.ts';
import { SORT_ORDERS, type SortOrder } from './tasks.sorts.ts';

/** `%`, `_` and `\` in the search text are literal characters, not patterns. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

type SqlType = 'text' | 'text[]' | 'timestamptz' | 'uuid' | 'int';
/**
 * Puts a listing's value into its SQL: a `$n` parameter of a statement, or a column of a batch
 * row; `lowered`: as PostgreSQL lower-cases it, computed once (not once per row read).
 */
export type Placeholder = (value: unknown, type: SqlType, lowered?: 'lowered') => string;

/**
 * The rows of a listing a batched search looks through for its page: a word in one task in
 * 64 or more fills it. When it does not, the page is read alone, planned for its text (a rare
 * word by the trigram index), so no search reads the whole table in time order.
 */
export const searchWindow = (listing: Pick<ListingQuery, 'limit'>) => 64 * (listing.limit + 1);

/**
 * The clauses of one listing page, plus one row more to tell whether another
 * page follows. Every filter is an equality or range the indexes serve, and
 * the order `(key, id)` is total, so keyset paging neither skips nor repeats.
 */
export function listingClauses(listing: ListingQuery, placeholder: Placeholder, windowed = false) {
  const where: string[] = [];
  const order = SORT_ORDERS[listing.sort];
  const { direction } = order;
  const walk = labelWalk(listing);
  // In a label walk, the task's creation time and id as the walked rows hold them (the same values).
  const key = walk ? 'task_labels.task_created_at' : order.key('tasks');
  const idColumn = walk ? 'task_labels.task_id' : 'tasks.id';

  const owner = listing.ownerId === undefined ? undefined : placeholder(listing.ownerId, 'text');
  if (owner) where.push(`owner_id = ${owner}`);
  // Statuses are written into the SQL (three known words, never the client's text): a plan
  // then knows how common each is, also as a batch (a status index or a walk in time order).
  if (listing.statuses)
    where.push(`status IN (${listing.statuses.map((status) => `'${status}'`).join(', ')})`);
  if (listing.createdAfter) {
    where.push(`created_at > ${placeholder(listing.createdAfter, 'timestamptz')}`);
    // Implied by updated_at >= created_at (a table rule), and lets an updated_at index scan start at the bound.
    if (listing.sort.endsWith('updated_at'))
      where.push(`updated_at > ${placeholder(listing.createdAfter, 'timestamptz')}`);
  }
  if (listing.createdBefore) where.push(`created_at < ${placeholder(listing.createdBefore, 'timestamptz')}`);
  where.push(...dueClauses(listing, placeholder));
  // Ranks are written into the SQL (numbers of the API's own list, never the client's text), as statuses are.
  if (listing.priorities) {
    const ranks = listing.priorities;
    where.push(`priority IN (${ranks.join(', ')})`);
    // Implied, and a range the priority index reads in order (PostgreSQL 15 sorts what an IN list reads).
    if (listing.sort.endsWith('priority'))
      where.push(`priority BETWEEN ${Math.min(...ranks)} AND ${Math.max(...ranks)}`);
  }
  // Both sides keyed by the database (lower-cased by one rule): the label index is on task_label_keys.
  if (listing.labels) {
    const wanted = placeholder(listing.labels, 'text[]');
    const contains = `task_label_keys(labels) @> task_label_keys(${wanted})`;
    // A walk of the one wanted label reaches only tasks with it: nothing more to check. Of
    // several, the others are checked on each task the walk reaches, in a form the label
    // index cannot serve, so the planner does not weigh reading the index and sorting instead
    // (which it underrates: every task with both labels, sorted, against a page's walk).
    if (!walk) where.push(contains);
    else if (listing.labels.length > 1) where.push(`coalesce(${contains}, false)`);
    // Each label is on a task the listing may show (the counts of migration 055), checked once
    // before any task is read: for a label no task has, the plan would otherwise walk the whole
    // listing index looking for one (a million tasks: over the statement timeout).
    const counted = owner ? ` AND c.owner_id = ${owner}` : '';
    where.push(
      `NOT EXISTS (SELECT FROM unnest(task_label_keys(${wanted})) AS w(key) WHERE NOT EXISTS ` +
        `(SELECT FROM label_counts c WHERE c.label_key = w.key AND c.task_count > 0${counted}))`,
    );
    if (walk) {
      // Of several labels, the walk follows the rarest, by the share of tasks the statistics give
      // the label index (ANALYZE); a label too rare to be among its most common has none, and is taken first.
      const share =
        `(SELECT s.most_common_elem_freqs[array_position(s.most_common_elems::text::text[], w.key)] ` +
        `FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = 'tasks_label_keys_idx')`;
      const walked =
        listing.labels.length === 1
          ? `(task_label_keys(${wanted}))[1]`
          : `(SELECT w.key FROM unnest(task_label_keys(${wanted})) AS w(key) ORDER BY ${share} NULLS FIRST LIMIT 1)`;
      where.push(`task_labels.label_key = ${walked}`);
      if (owner) where.push(`task_labels.task_owner_id = ${owner}`);
    }
  }
  if (listing.after) {
    const { key: after, id } = listing.after;
    const position = `(${order.cursorKey((type) => placeholder(after, type))}, ${placeholder(id, 'uuid')})`;
    where.push(`(${key}, ${idColumn}) ${direction === 'DESC' ? '<' : '>'} ${position}`);
  }
  const ordered = `ORDER BY ${key} ${direction}, ${idColumn} ${direction}`;
  const whereOf = (conditions: string[]) =>
    conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  // Title and description as lower-cased by the database (migration 046), the trigram index's column.
  const search =
    listing.q === undefined
      ? undefined
      : `search_text LIKE ${placeholder(likePattern(listing.q), 'text', 'lowered')}`;
  let from = walk ? 'task_labels JOIN tasks ON tasks.id = task_labels.task_id' : 'tasks';
  if (search && windowed) {
    // The listing's own index walk, cut after the window; the search looks only there.
    from = `(SELECT * FROM tasks ${whereOf(where)} ${ordered} LIMIT ${placeholder(searchWindow(listing), 'int')}) tasks`;
    where.length = 0;
  }
  if (search) where.push(search);
  const clauses = [
    whereOf(where),
    ordered,
    `LIMIT ${placeholder(listing.limit + 1, 'int')}`,
    listing.skip > 0 ? `OFFSET ${placeholder(listing.skip, 'int')}` : '',
  ].join(' ');
  // The page's rows carry their sort key: a query over them orders by that column, which the
  // planner knows is already in order (over an expression such as coalesce(due_at, …) it sorts again).
  const columns = `${TASK_COLUMNS}, ${key} AS sort_key`;
  const orderBy = (table: string) => `${table}.sort_key ${direction}, ${table}.id ${direction}`;
  return { from, clauses, columns, orderBy };
}

/**
 * A label filter in time order (the default order) reads a label's own rows in that order
 * (task_labels, migration 060) and stops after the page, whatever the label's share of the
 * tasks; other orders read the label index (GIN) or walk their own index, checking labels.
 */
export const labelWalk = (listing: ListingQuery) =>
  listing.labels !== undefined && (listing.sort === 'created_at' || listing.sort === '-created_at');

/**
 * `due_after`, `due_before` and `overdue=true` are a range of due dates, written on
 * the key of a due-date index (tasks.sorts.ts): the sort's when it sorts by due date,
 * so that the range is where its index scan starts and stops, else the ascending one,
 * which a plan may read the range from. A range always leaves out the tasks without
 * a due date (±infinity in the key, outside every finite bound).
 */
function dueClauses(listing: ListingQuery, placeholder: Placeholder): string[] {
  const order: SortOrder = listing.sort === '-due_at' ? SORT_ORDERS['-due_at'] : SORT_ORDERS.due_at;
  const key = order.key('tasks');
  const { dueAfter, dueBefore, overdue } = listing;
  const overdueAt = overdue && placeholder(overdue.at, 'timestamptz');
  const upper = [dueBefore && placeholder(dueBefore, 'timestamptz'), overdue?.is && overdueAt];
  const bounds = [
    ...(dueAfter ? [`${key} > ${placeholder(dueAfter, 'timestamptz')}`] : []),
    ...upper.flatMap((bound) => (bound ? [`${key} < ${bound}`] : [])),
  ];
  // The missing due dates stand at the end the bounds leave open: close it.
  if (bounds.length > 0 && order.direction === 'ASC' && upper.every((bound) => !bound)) {
    bounds.push(`${key} < 'infinity'::timestamptz`);
  }
  if (bounds.length > 0 && order.direction === 'DESC' && !dueAfter)
    bounds.push(`${key} > '-infinity'::timestamptz`);
  if (overdue?.is) bounds.push(`status <> 'done'`);
  // Not overdue: no due date (+infinity in the ascending key), due now or later, or done.
  if (overdue && !overdue.is) {
    bounds.push(`NOT (${SORT_ORDERS.due_at.key('tasks')} < ${overdueAt} AND status <> 'done')`);
  }
  return bounds;
}

/**
 * The SQL reading one listing page's stored rows on its own, its values as parameters;
 * `windowed`: a search as a batch reads it, in its window.
 */
export function listingRowsQuery(listing: ListingQuery, windowed = false) {
  const values: unknown[] = [];
  const { from, clauses, columns, orderBy } = listingClauses(
    listing,
    (value, type, lowered) => {
      const parameter = `$${values.push(value)}::${type}`;
      return lowered ? `lower(${parameter})` : parameter;
    },
    windowed,
  );
  return { text: `SELECT ${columns} FROM ${from} ${clauses}`, values, orderBy };
}

/**
 * One listing page on its own, as tasks. The rows are formatted once the
 * page is cut: rows an offset skips are never formatted.
 */
export function listTasksQuery(listing: ListingQuery): { text: string; values: unknown[] } {
  const rows = listingRowsQuery(listing);
  return {
    text: `SELECT ${taskFields('page.')} FROM (${rows.text}) page ORDER BY ${rows.orderBy('page')}`,
    values: rows.values,
  };
}
