/**
 * GET /tasks/export: every task the caller may read, filtered as a listing
 * is, as NDJSON or CSV. Read in keyset batches of the listing's own SQL in
 * `created_at` order (an immutable key: a task that exists throughout the
 * export appears exactly once, whatever changes meanwhile), one statement
 * per batch (each within the statement timeout, no transaction or
 * connection held between batches), and produced as a stream that the
 * response pulls: the next batch is read only once the client has taken
 * the previous ones, so memory stays flat whatever the export's size.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import Negotiator from 'negotiator';
import { type Static, Type } from 'typebox';
import type { Principal } from '../../auth/principal.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Queryable } from '../../infra/db/database.ts';
import { positionAfter } from './tasks.cursor.ts';
import { ListTasksQuerySchema } from './tasks.listing-schemas.ts';
import { listTasksQuery } from './tasks.listing-sql.ts';
import { type ListingQuery, normalizeListQuery } from './tasks.query.ts';
import { type Task, TaskSchema } from './tasks.schemas.ts';

/** Rows per statement: big enough that round trips cost little, small enough to stay a few hundred kB. */
export const EXPORT_BATCH_ROWS = 1_000;

/** The listing's filters; paging and order are the export's own. */
export const ExportTasksQuerySchema = Type.Omit(ListTasksQuerySchema, ['skip', 'limit', 'cursor', 'sort'], {
  additionalProperties: false,
});

export const ExportFormats = {
  'application/x-ndjson': { extension: 'ndjson', render: ndjsonOf },
  'text/csv': { extension: 'csv', render: csvOf },
} as const;
export type ExportFormat = keyof typeof ExportFormats;
const FORMATS = Object.keys(ExportFormats) as ExportFormat[];

/** The format `Accept` asks for (NDJSON when it names none), or a 406 naming those there are. */
export function exportFormatOf(accept: string | undefined): ExportFormat {
  const chosen = new Negotiator({ headers: { accept } }).mediaType(FORMATS) as ExportFormat | undefined;
  if (chosen) return chosen;
  throw new AppError('NOT_ACCEPTABLE', `The export is available as ${FORMATS.join(' or ')} (Accept).`);
}

/** The export's listing: the query string's filters and the caller's visibility, oldest first. */
export function exportListing(
  query: Static<typeof ExportTasksQuerySchema>,
  principal: Principal,
): ListingQuery {
  return normalizeListQuery({ ...query, skip: 0, limit: EXPORT_BATCH_ROWS, sort: 'created_at' }, principal);
}

/** The tasks of a listing, batch after batch: each batch is a page of the listing's keyset paging. */
export async function* exportedBatches(db: Queryable, listing: ListingQuery): AsyncGenerator<Task[]> {
  let after = listing.after;
  for (;;) {
    // A page is up to limit + 1 rows (the one more tells that another follows): all of them are sent.
    const { rows } = await db.query<Task>(listTasksQuery({ ...listing, after }));
    if (rows.length > 0) yield rows;
    const last = rows.at(-1);
    if (rows.length <= listing.limit || !last) return;
    after = positionAfter(listing.sort, last);
  }
}

/**
 * The response body: the export as text, pulled by the response as fast as
 * the client reads it. Resolves once the first batch is read, so that a
 * failure to read at all is an error response rather than a cut body.
 */
export async function exportStream(batches: AsyncGenerator<Task[]>, format: ExportFormat): Promise<Readable> {
  const { render } = ExportFormats[format];
  const first = await batches.next();
  async function* text() {
    // An empty CSV export still has its header row.
    yield render(first.done ? [] : first.value, true);
    if (first.done) return;
    for await (const batch of batches) yield render(batch, false);
  }
  // One chunk ahead at most: the next batch is read once the client has taken this one.
  return Readable.from(text(), { objectMode: false, highWaterMark: 1 });
}

/** One task per line, exactly as GET /tasks/{id} shows it. */
function ndjsonOf(tasks: Task[], _header: boolean): string {
  let lines = '';
  for (const task of tasks) lines += `${JSON.stringify(task)}\n`;
  return lines;
}

/** The columns of the CSV export: every field of a task, in the contract's order. */
export const CSV_COLUMNS = Object.keys(TaskSchema.properties) as (keyof Task)[];

/**
 * RFC 4180: CRLF line ends, a field quoted when it holds a comma, a quote
 * or a line break, its quotes doubled. Labels are one field, separated by
 * commas (a label has none), as the `label` filter takes them; null is an
 * empty field.
 */
function csvOf(tasks: Task[], header: boolean): string {
  return stringify(tasks, {
    header,
    columns: CSV_COLUMNS,
    record_delimiter: 'windows',
    // A lone carriage return breaks a row in some readers, as a line feed does: quoted too.
    quoted_match: /\r/,
    // The only array (and object) of a task: its labels.
    cast: { object: (labels) => (labels as unknown as string[]).join(',') },
  });
}

/** `Content-Disposition` of an export: a download named after the day it was made. */
export function exportDisposition(format: ExportFormat, now = new Date()): string {
  return `attachment; filename="tasks-${now.toISOString().slice(0, 10)}.${ExportFormats[format].extension}"`;
}
