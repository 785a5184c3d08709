/**
 * The pages of many `GET /tasks` listings of one shape read in one statement
 * (the read path's batches), each by the index scan it would get alone; a
 * listing that cannot share a plan is read alone (tasks.listing-sql.ts).
 */
import { isDatabaseUnavailable, type Queryable } from '../../infra/db/database.ts';
import { labelWalk, listingClauses, listTasksQuery, type Placeholder } from './tasks.listing-sql.ts';
import type { ListingQuery } from './tasks.query.ts';
import { taskFields } from './tasks.repository.ts';
import type { Task } from './tasks.schemas.ts';

/**
 * Listings whose best plan does not depend on their values: equality
 * filters (statuses and priorities are in the SQL) and a cursor, read in
 * index order, a search within its window of that order, and a label walk
 * (the same walk for any label). Labels under another sort, a date range
 * (`overdue` too) or an offset is planned for its values, so those run alone.
 */
export const isBatchable = (listing: ListingQuery) =>
  listing.createdAfter === undefined &&
  listing.createdBefore === undefined &&
  listing.dueAfter === undefined &&
  listing.dueBefore === undefined &&
  listing.overdue === undefined &&
  (listing.labels === undefined || labelWalk(listing)) &&
  listing.skip === 0;

/** A batched listing's values, as one row of the batch's JSON parameter. */
type BatchRow = { listing: number } & Record<string, unknown>;

/**
 * Listings of one shape (the same SQL but for their values) as one
 * statement: the values of each are a row of one JSON parameter, and each
 * page is read by the index scan it would get alone (LATERAL), so the
 * database does every listing's work while the round trip is shared.
 * `shape` is the statement; equal for listings that can share it.
 */
export function batchedListing(listing: ListingQuery, index: number) {
  const columns = ['listing int'];
  const values = ['listing'];
  const row: BatchRow = { listing: index };
  const placeholder: Placeholder = (value, type, lowered) => {
    const column = `p${columns.length}`;
    columns.push(`${column} ${type}`);
    values.push(lowered ? `lower(${column}) AS ${column}` : column);
    row[column] = value;
    return `b.${column}`;
  };
  const { from, clauses, columns: selected, orderBy } = listingClauses(listing, placeholder, true);
  // OFFSET 0: each batch row's values computed once, before the pages are read with them.
  const batchRows = `SELECT ${values.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${columns.join(', ')}) OFFSET 0`;
  const shape = [
    `SELECT b.listing, ${taskFields('page.')} FROM (${batchRows}) b`,
    `CROSS JOIN LATERAL (SELECT ${selected} FROM ${from} ${clauses}) page`,
    `ORDER BY b.listing, ${orderBy('page')}`,
  ].join(' ');
  return { shape, row };
}

/**
 * The rows of each listing's page (one more than its limit when another page
 * follows), in order: one promise per listing. A batch the database refuses
 * (one listing's values it cannot take) is read again listing by listing, so
 * one request's bad value fails that request alone, never its neighbours in
 * the batch; a database that is unreachable fails them all at once.
 */
export function listTaskPages(db: Queryable, listings: readonly ListingQuery[]): Promise<Task[]>[] {
  const batches = new Map<string, BatchRow[]>();
  for (const [index, listing] of listings.entries()) {
    if (!isBatchable(listing)) continue;
    const { shape, row } = batchedListing(listing, index);
    const rows = batches.get(shape);
    if (rows) rows.push(row);
    else batches.set(shape, [row]);
  }
  const batchOf = new Map<number, { pages: Promise<Map<number, Task[]>>; shared: boolean }>();
  for (const [shape, rows] of batches) {
    const batch = { pages: listBatch(db, shape, rows), shared: rows.length > 1 };
    for (const row of rows) batchOf.set(row.listing, batch);
  }
  return listings.map((listing, index) => {
    const batch = batchOf.get(index);
    if (!batch) return listTasks(db, listing);
    const page = batch.pages.then(
      (pages) => pages.get(index) ?? [],
      (error: unknown) => {
        if (!batch.shared || isDatabaseUnavailable(error)) throw error;
        return listTasks(db, listing);
      },
    );
    // A search whose window held less than a page (a rare word, or the listing's end): read alone.
    return listing.q === undefined
      ? page
      : page.then((rows) => (rows.length > listing.limit ? rows : listTasks(db, listing)));
  });
}

async function listBatch(db: Queryable, shape: string, rows: BatchRow[]): Promise<Map<number, Task[]>> {
  const result = await db.query<Task & { listing: number }>(shape, [JSON.stringify(rows)]);
  const pages = new Map<number, Task[]>();
  for (const { listing, ...task } of result.rows) {
    const page = pages.get(listing);
    if (page) page.push(task);
    else pages.set(listing, [task]);
  }
  return pages;
}

/**
 * One listing alone. Passed as a query object, which the prepared-statement
 * wrapper leaves unnamed: planned for its values on every run.
 */
async function listTasks(db: Queryable, listing: ListingQuery): Promise<Task[]> {
  const { rows } = await db.query<Task>(listTasksQuery(listing));
  return rows;
}
