/**
 * One seeded fuzz run against a running API: the plans fast-check draws from
 * the served OpenAPI document, sent a few at a time (so listings and creates
 * meet in the server's batches), each answer held to the invariants, each
 * acknowledged write to the ledger, and the ledger to the database at the end.
 */
import http from 'node:http';
import type pg from 'pg';
import type { OidcFixture } from '../support/oidc-fixture.ts';
import { TEST_USERS } from '../support/oidc-fixture.ts';
import { type Exchange, Invariants } from './invariants.ts';
import { Ledger, type TaskBody } from './ledger.ts';
import { type Caller, type Document, operationsOf, type Plan, plansOf } from './requests.ts';
import { authorizationsOf, pathOf, send } from './wire.ts';

export interface FuzzTarget {
  baseUrl: string;
  oidc: OidcFixture;
  /** A pool on the API's database, to check that acknowledged writes are there. */
  db: pg.Pool;
}
export interface FuzzOptions {
  seed: number;
  requests: number;
  /** Requests in flight together (default 8). */
  concurrency?: number;
}
export interface Finding {
  index: number;
  request: string;
  status: number;
  problems: string[];
}
export interface FuzzReport {
  seed: number;
  requests: number;
  seconds: number;
  byStatus: Record<string, number>;
  /** Operations called, of the document's. */
  operations: number;
  documentedOperations: number;
  acknowledgedWrites: number;
  findings: Finding[];
  /** Differences between the acknowledged writes and the database. */
  lost: string[];
}

const subjectOf = (caller: Caller) =>
  caller in TEST_USERS ? TEST_USERS[caller as keyof typeof TEST_USERS].sub : undefined;
const seesAll = (caller: Caller) => caller === 'alice' || caller === 'carol';

export async function runFuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const document = (await (await fetch(`${target.baseUrl}/openapi.json`)).json()) as Document;
  const invariants = new Invariants(document);
  const authorizations = await authorizationsOf(target.oidc);
  const ledger = new Ledger();
  const agent = new http.Agent({ keepAlive: true, maxSockets: (options.concurrency ?? 8) * 2 });
  const asAdmin = (path: string, init: { method?: string; body?: string } = {}) =>
    fetch(`${target.baseUrl}${path}`, {
      ...init,
      headers: { authorization: authorizations.alice ?? '', 'content-type': 'application/json' },
    });

  // Tasks to aim at from the start: bob's and dave's, some created for them by an admin.
  for (const owner of ['bob', 'dave'] as const) {
    for (let index = 0; index < 4; index += 1) {
      const body = JSON.stringify({ title: `fuzz ${owner} ${index}`, owner_id: TEST_USERS[owner].sub });
      ledger.stored((await (await asAdmin('/tasks', { method: 'POST', body })).json()) as TaskBody);
    }
  }

  const plans = plansOf(document, options.seed, options.requests);
  const byStatus: Record<string, number> = {};
  const findings: Finding[] = [];
  const concurrency = options.concurrency ?? 8;
  for (let first = 0; first < plans.length; first += concurrency) {
    const round = plans.slice(first, first + concurrency);
    const exchanges = await Promise.all(round.map((plan) => exchange(plan)));
    exchanges.forEach((sent, offset) => {
      byStatus[sent.answer.status] = (byStatus[sent.answer.status] ?? 0) + 1;
      record(sent);
      const problems = invariants.check(sent);
      if (problems.length > 0)
        findings.push({
          index: first + offset,
          request: `${sent.caller} ${sent.method} ${sent.path.slice(0, 200)}`,
          status: sent.answer.status,
          problems,
        });
    });
  }
  agent.destroy();

  const lost = await ledger.differencesFrom(target.db, async (id) => (await asAdmin(`/tasks/${id}`)).json());
  return {
    seed: options.seed,
    requests: plans.length,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    byStatus,
    operations: new Set(plans.map((plan) => `${plan.ref.method} ${plan.ref.route}`)).size,
    documentedOperations: operationsOf(document).length,
    acknowledgedWrites: ledger.acknowledgedWrites,
    findings,
    lost,
  };

  async function exchange(plan: Plan): Promise<Exchange> {
    const taskId = plan.ref.route.includes('{id}')
      ? ledger.resolve(plan.target, subjectOf(plan.caller) ?? TEST_USERS.bob.sub, seesAll(plan.caller))
      : undefined;
    const headers: Record<string, string> = { ...plan.headers };
    const authorization = authorizations[plan.caller];
    if (authorization !== undefined) headers.authorization = authorization;
    if (plan.body?.contentType !== undefined) headers['content-type'] = plan.body.contentType;
    if (plan.precondition)
      headers[plan.precondition.header] = preconditionOf(plan.precondition.value, taskId);
    const path = pathOf(plan, taskId);
    const answer = await send(agent, target.baseUrl, {
      method: plan.ref.method,
      path,
      headers,
      body: plan.body?.bytes,
    });
    const taskOwner =
      taskId === undefined || plan.target.pool === 'raw' ? undefined : ledger.owners.get(taskId);
    return { ref: plan.ref, caller: plan.caller, method: plan.ref.method, path, taskId, taskOwner, answer };
  }

  function preconditionOf(
    value: NonNullable<Plan['precondition']>['value'],
    taskId: string | undefined,
  ): string {
    const version = (taskId && ledger.versions.get(taskId)) || 1;
    if (value === 'current') return `"${version}"`;
    if (value === 'stale') return `"${version - 1}"`;
    if (value === 'star') return '*';
    return value.raw;
  }

  /** An acknowledged write, into the ledger. */
  function record({ ref, answer, taskId }: Exchange): void {
    const operation = `${ref.method} ${ref.route}`;
    const json = () => JSON.parse(answer.body.toString('utf8'));
    if (operation === 'POST /tasks' && answer.status === 201) ledger.stored(json() as TaskBody);
    else if ((operation === 'PUT /tasks/{id}' || operation === 'PATCH /tasks/{id}') && answer.status === 200)
      ledger.stored(json() as TaskBody);
    else if (operation === 'DELETE /tasks/{id}' && answer.status === 204 && taskId) ledger.removed(taskId);
    else if (operation === 'POST /tasks/import' && answer.status === 200)
      ledger.imported(
        (json() as { tasks: { id: string }[] }).tasks.map((task) => task.id),
        undefined,
      );
  }
}
