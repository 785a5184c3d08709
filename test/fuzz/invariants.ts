/**
 * What must hold of every answer in the fuzz run, whatever was sent: its
 * status is one the document lists for the operation and never a 5xx; an
 * error is application/problem+json with the Problem schema's fields; a
 * success has a documented media type and a body its schema allows (Ajv on
 * the served document); and no caller gets what their role or ownership
 * denies them (a forged token nothing, a viewer no write, a user no other
 * person's task).
 */
import type { Ajv, ValidateFunction } from 'ajv';
import { createAjv } from '../../src/http/validator-compiler.ts';
import { TEST_USERS } from '../support/oidc-fixture.ts';
import type { Caller, Document, OperationRef } from './requests.ts';
import type { Answer } from './wire.ts';

export interface Exchange {
  ref: OperationRef;
  caller: Caller;
  method: string;
  path: string;
  /** The task the path names, and its owner as the ledger knows it. */
  taskId?: string;
  taskOwner?: string;
  answer: Answer;
}

const WRITES = new Set([
  'POST /tasks',
  'PUT /tasks/{id}',
  'PATCH /tasks/{id}',
  'DELETE /tasks/{id}',
  'POST /tasks/import',
]);
/** The operations whose success shows tasks (one, a page, an export's lines). */
const TASK_ANSWERS = new Set([...WRITES, 'GET /tasks', 'GET /tasks/{id}', 'GET /tasks/export']);
const UNSECURED = new Set(['/healthz', '/readyz', '/auth/backchannel-logout']);

const subjectOf = (caller: Caller): string | undefined =>
  caller in TEST_USERS ? TEST_USERS[caller as keyof typeof TEST_USERS].sub : undefined;
const rolesOf = (caller: Caller): readonly string[] =>
  caller in TEST_USERS ? TEST_USERS[caller as keyof typeof TEST_USERS].roles : [];

export class Invariants {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: Document) {
    this.ajv = createAjv({ strict: false, coerceTypes: false, useDefaults: false });
    this.ajv.addSchema({ $id: 'openapi.json', components: document.components });
  }

  private validator(schema: object): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.validators.get(key);
    if (!validate) {
      const rewritten = JSON.parse(key.replaceAll('"#/components/', '"openapi.json#/components/')) as object;
      validate = this.ajv.compile(rewritten);
      this.validators.set(key, validate);
    }
    return validate;
  }

  private fits(schema: object | undefined, value: unknown): string | undefined {
    if (!schema) return undefined;
    const validate = this.validator(schema);
    return validate(value) ? undefined : this.ajv.errorsText(validate.errors);
  }

  /** What is wrong with one exchange (nothing: an empty list). */
  check(exchange: Exchange): string[] {
    const { ref, answer } = exchange;
    if (answer.failure) return [`no answer: ${answer.failure}`];
    const findings: string[] = [];
    const documented = ref.operation.responses[String(answer.status)];
    if (answer.status >= 500) findings.push(`${answer.status}: ${answer.body.toString().slice(0, 300)}`);
    if (!documented)
      findings.push(`status ${answer.status} is not documented for ${ref.method} ${ref.route}`);
    const type =
      String(answer.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim() ?? '';
    if (answer.status >= 400) findings.push(...this.problemFindings(answer, type));
    else if (answer.status === 204 || answer.status === 304) {
      if (answer.body.length > 0)
        findings.push(`a ${answer.status} with a body of ${answer.body.length} bytes`);
    } else if (documented?.content) {
      const media = documented.content[type];
      if (!media)
        findings.push(
          `${answer.status} as ${type || 'no media type'}, documented: ${Object.keys(documented.content).join(', ')}`,
        );
      else findings.push(...this.bodyFindings(media.schema, type, answer.body));
    }
    return [...findings, ...this.accessFindings(exchange)];
  }

  private problemFindings(answer: Answer, type: string): string[] {
    if (type !== 'application/problem+json')
      return [`a ${answer.status} as ${type || 'no media type'}, not application/problem+json`];
    let problem: { status?: unknown };
    try {
      problem = JSON.parse(answer.body.toString('utf8')) as { status?: unknown };
    } catch {
      return [`a ${answer.status} whose body is not JSON: ${answer.body.toString().slice(0, 200)}`];
    }
    const broken = this.fits({ $ref: '#/components/schemas/Problem' }, problem);
    return [
      ...(broken
        ? [`a problem outside the Problem schema (${broken}): ${JSON.stringify(problem).slice(0, 300)}`]
        : []),
      ...(problem.status === answer.status
        ? []
        : [`a ${answer.status} whose problem says status ${problem.status}`]),
    ];
  }

  private bodyFindings(schema: object | undefined, type: string, body: Buffer): string[] {
    const text = body.toString('utf8');
    const values: unknown[] = [];
    try {
      if (type === 'application/json') values.push(JSON.parse(text));
      else if (type === 'application/x-ndjson')
        for (const line of text.split('\n').filter(Boolean)) values.push(JSON.parse(line));
      else return [];
    } catch {
      return [`a ${type} body that does not parse: ${text.slice(0, 200)}`];
    }
    return values.flatMap((value) => {
      const broken = this.fits(schema, value);
      return broken ? [`a body outside its schema (${broken}): ${JSON.stringify(value).slice(0, 300)}`] : [];
    });
  }

  /** Role, ownership and token rules: what the caller could not have been given. */
  private accessFindings({ ref, caller, taskId, taskOwner, answer }: Exchange): string[] {
    if (answer.status >= 400 || UNSECURED.has(ref.route)) return [];
    const operation = `${ref.method} ${ref.route}`;
    const roles = rolesOf(caller);
    const subject = subjectOf(caller);
    if (roles.length === 0)
      return [`${caller} (no valid token with a role) was answered ${answer.status} by ${operation}`];
    if (WRITES.has(operation) && !roles.includes('admin') && !roles.includes('user'))
      return [`${caller} (${roles.join(',')}) wrote: ${operation} answered ${answer.status}`];
    if (operation === 'POST /tasks/import' && !roles.includes('admin')) return [`${caller} imported tasks`];
    if (roles.includes('admin') || roles.includes('viewer')) return [];
    // A user: only their own tasks, in every answer.
    const findings: string[] = [];
    if (taskId && taskOwner && taskOwner !== subject)
      findings.push(
        `${caller} was answered ${answer.status} by ${operation} on ${taskOwner}'s task ${taskId}`,
      );
    for (const task of TASK_ANSWERS.has(operation) ? this.tasksIn(answer) : []) {
      if (task.owner_id !== subject)
        findings.push(`${caller} was shown ${task.owner_id}'s task ${task.id} by ${operation}`);
    }
    if (operation === 'GET /users') findings.push(`${caller} (user) read the directory`);
    return findings;
  }

  /** The tasks a success shows: one, a page of them, or an export's lines. */
  private tasksIn(answer: Answer): { id: string; owner_id: string }[] {
    const type = String(answer.headers['content-type'] ?? '');
    const text = answer.body.toString('utf8');
    try {
      if (type.startsWith('application/x-ndjson'))
        return text
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line));
      if (!type.startsWith('application/json')) return [];
      const value = JSON.parse(text) as { id?: string; owner_id?: string; items?: unknown[] };
      if (Array.isArray(value.items))
        return value.items.filter(
          (item): item is { id: string; owner_id: string } =>
            typeof (item as { owner_id?: unknown }).owner_id === 'string',
        );
      return typeof value.owner_id === 'string' ? [value as { id: string; owner_id: string }] : [];
    } catch {
      return [];
    }
  }
}
