/**
 * The fuzz run's invariants catch what they are for: each kind of finding
 * from an answer made up for it (against a small document of one operation),
 * and an answer that breaks nothing passes.
 */
import { describe, expect, it } from 'vitest';
import { type Exchange, Invariants } from '../fuzz/invariants.ts';
import type { Caller, Document, OperationRef } from '../fuzz/requests.ts';
import type { Answer } from '../fuzz/wire.ts';
import { TEST_USERS } from '../support/oidc-fixture.ts';

const PROBLEM = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'instance', 'code', 'request_id'],
  properties: { status: { type: 'integer' }, instance: { type: 'string', maxLength: 20 } },
};
const TASK = {
  type: 'object',
  required: ['id', 'owner_id'],
  properties: { id: { type: 'string' }, owner_id: { type: 'string' } },
};
const document: Document = {
  paths: {},
  components: { schemas: { Problem: PROBLEM, Task: TASK } },
};
const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const taskContent = { 'application/json': { schema: { $ref: '#/components/schemas/Task' } } };
const getTask: OperationRef = {
  method: 'GET',
  route: '/tasks/{id}',
  operation: { responses: { 200: { content: taskContent }, 304: {}, 404: { content: problemContent } } },
};
const deleteTask: OperationRef = {
  method: 'DELETE',
  route: '/tasks/{id}',
  operation: { responses: { 204: {}, 404: { content: problemContent } } },
};

const problem = (status: number, instance = '/tasks/1') => ({
  type: 'urn:x',
  title: 'x',
  status,
  detail: 'x',
  instance,
  code: 'X',
  request_id: 'r',
});
const json = (value: unknown, type = 'application/json') => ({
  headers: { 'content-type': `${type}; charset=utf-8` },
  body: Buffer.from(JSON.stringify(value)),
});
const bobTask = { id: '1', owner_id: TEST_USERS.bob.sub };

const empty = { headers: {}, body: Buffer.alloc(0) };

function exchange(
  caller: Caller,
  status: number,
  answer: Pick<Answer, 'headers' | 'body'>,
  ref = getTask,
): Exchange {
  return {
    ref,
    caller,
    method: ref.method,
    path: '/tasks/1',
    taskId: '1',
    taskOwner: TEST_USERS.bob.sub,
    answer: { status, ...answer },
  };
}
const findingsOf = (sent: Exchange) => new Invariants(document).check(sent);

describe('fuzz invariants', () => {
  it('an answer that breaks nothing has no finding', () => {
    expect(findingsOf(exchange('bob', 200, json(bobTask)))).toEqual([]);
    expect(findingsOf(exchange('dave', 404, json(problem(404), 'application/problem+json')))).toEqual([]);
    expect(findingsOf(exchange('carol', 200, json(bobTask)))).toEqual([]);
  });

  it.each([
    ['a 5xx', exchange('bob', 500, json(problem(500), 'application/problem+json')), /^500/],
    [
      'a status the operation does not list',
      exchange('bob', 409, json(problem(409), 'application/problem+json')),
      /not documented/,
    ],
    [
      'an error that is not problem+json',
      exchange('bob', 404, json(problem(404))),
      /not application\/problem\+json/,
    ],
    [
      'a problem outside its schema',
      exchange('bob', 404, json(problem(404, 'x'.repeat(30)), 'application/problem+json')),
      /Problem schema/,
    ],
    [
      'a problem whose status differs',
      exchange('bob', 404, json(problem(400), 'application/problem+json')),
      /says status 400/,
    ],
    ['a body outside its schema', exchange('bob', 200, json({ id: 1 })), /outside its schema/],
    ['a media type not documented', exchange('bob', 200, json(bobTask, 'text/html')), /as text\/html/],
    ['a 304 with a body', exchange('bob', 304, json(bobTask)), /a 304 with a body/],
    ["a user shown another's task", exchange('dave', 200, json(bobTask)), /dave was answered 200 .* task 1/],
    ['a forged token served', exchange('padded-signature', 200, json(bobTask)), /no valid token with a role/],
    ['no token served', exchange('none', 304, empty), /no valid token/],
    ['a token without a role served', exchange('erin', 200, json(bobTask)), /erin/],
    ['a viewer writing', exchange('carol', 204, empty, deleteTask), /carol \(viewer\) wrote/],
  ])('%s is a finding', (_kind, sent, finding) => {
    expect(findingsOf(sent).join('\n')).toMatch(finding);
  });
});
