/**
 * Requests that break HTTP itself, sent over raw sockets: every answer the
 * server writes, the HTTP parser's and the router's included, is an RFC 9457
 * problem; a malformed request never costs the answers of the requests
 * before it on the connection (pipelining); a client that walks away from
 * its upload is the client's doing, not a 503.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { countTasks, expectProblem, type Task } from '../support/task-helpers.ts';
import { eventually } from '../support/test-database.ts';

let api: RunningApi;
let logDir: string;
beforeAll(async () => {
  logDir = await mkdtemp(path.join(tmpdir(), 'tasks-protocol-logs-'));
  api = await startApi({ LOG_DIR: logDir, LOG_LEVEL: 'info' });
});
afterAll(async () => {
  await api?.close();
  await rm(logDir, { recursive: true, force: true });
});

const port = () => Number(new URL(api.baseUrl).port);

/** Writes `bytes` on a new connection and collects everything the server sends until it closes. */
function exchange(bytes: string | Buffer, { endAfterMs }: { endAfterMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port(), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('the server did not close the connection')));
    socket.write(bytes);
    if (endAfterMs !== undefined) setTimeout(() => socket.end(), endAfterMs);
  });
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Splits the bytes of one or more HTTP/1.1 responses (each with Content-Length) into responses. */
function responsesOf(text: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    expect(end, `a response head in ${JSON.stringify(rest)}`).toBeGreaterThan(0);
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(
      lines.map((line) => [
        line.slice(0, line.indexOf(':')).toLowerCase(),
        line.slice(line.indexOf(':') + 1).trim(),
      ]),
    );
    const length = Number(headers['content-length']);
    expect(Number.isInteger(length), `Content-Length in ${statusLine}`).toBe(true);
    const body = Buffer.from(rest.slice(end + 4))
      .subarray(0, length)
      .toString('utf8');
    responses.push({ status: Number(statusLine?.split(' ')[1]), headers, body });
    rest = Buffer.from(rest.slice(end + 4))
      .subarray(length)
      .toString('utf8');
  }
  return responses;
}

/** The same checks as for fetch responses, on a raw one. */
const asResponse = ({ status, headers, body }: RawResponse) => new Response(body, { status, headers });

describe('requests the HTTP parser refuses', () => {
  it.each([
    ['garbage', 400, 'MALFORMED_REQUEST', 'GARBAGE\r\n\r\n'],
    [
      'a bad header line',
      400,
      'MALFORMED_REQUEST',
      'GET /tasks HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n',
    ],
    [
      'a broken chunked body',
      400,
      'MALFORMED_REQUEST',
      'POST /tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n',
    ],
    ['an unknown HTTP version', 400, 'MALFORMED_REQUEST', 'GET /tasks HTTP/7.3\r\nHost: x\r\n\r\n'],
    [
      'a huge header',
      431,
      'HEADERS_TOO_LARGE',
      `GET /tasks HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`,
    ],
    [
      '10,000 query parameters',
      431,
      'HEADERS_TOO_LARGE',
      `GET /tasks?${Array.from({ length: 10_000 }, (_, i) => `p${i}=1`).join('&')} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ],
  ])('%s is a problem+json %i %s', async (_case, status, code, request) => {
    const [response, ...more] = responsesOf(await exchange(request));
    expect(more).toEqual([]);
    const problem = await expectProblem(asResponse(response as RawResponse), status, code);
    expect(problem).toMatchObject({ instance: `urn:tasks:request:${problem.request_id}` });
    expect(response?.headers.connection).toBe('close');
  });

  it('a request without Host is a problem+json 400', async () => {
    const [response] = responsesOf(await exchange('GET /tasks HTTP/1.1\r\n\r\n', { endAfterMs: 500 }));
    await expectProblem(asResponse(response as RawResponse), 400, 'MALFORMED_REQUEST');
  });

  it('an HTTP/1.0 request needs no Host', async () => {
    const [response] = responsesOf(await exchange('GET /healthz HTTP/1.0\r\n\r\n'));
    expect(response?.status).toBe(200);
  });
});

describe('paths the router refuses', () => {
  it.each([
    ['a malformed escape', '/tasks/%zz'],
    ['an id over 200 characters', `/tasks/${'a'.repeat(250)}`],
  ])('%s is a problem+json 404', async (_case, route) => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const problem = await expectProblem(await api.request('bob', method, route), 404);
      expect(problem.detail).not.toContain('aaaa');
      expect(problem.code).toBe('ROUTE_NOT_FOUND');
    }
  });
});

describe('pipelining', () => {
  it('a malformed request after a write costs nothing of the answers before it', async () => {
    const token = await api.oidc.token('bob');
    const before = await countTasks(api);
    const create = (title: string) => {
      const body = JSON.stringify({ title });
      return (
        `POST /tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
      );
    };
    // Three writes, then a request no parser accepts, in one packet.
    const responses = responsesOf(
      await exchange(`${create('one')}${create('two')}${create('three')}GARBAGE\r\n\r\n`),
    );
    expect(responses.map((response) => response.status)).toEqual([201, 201, 201, 400]);
    expect(responses.slice(0, 3).map((response) => (JSON.parse(response.body) as Task).title)).toEqual([
      'one',
      'two',
      'three',
    ]);
    await expectProblem(asResponse(responses[3] as RawResponse), 400, 'MALFORMED_REQUEST');
    expect(await countTasks(api)).toBe(before + 3);
  });
});

describe('a client that walks away from its upload', () => {
  it('is logged as the client closing, never counted as a dependency failure', async () => {
    const token = await api.oidc.token('bob');
    const before = await countTasks(api);
    await new Promise<void>((resolve) => {
      const socket = net.connect(port(), '127.0.0.1', () => {
        socket.write(
          `POST /tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 1000\r\nX-Request-Id: walked-away-upload\r\n\r\n{"title":"a',
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 200);
      });
    });
    const linesOf = async () => {
      const files = (await readdir(logDir)).filter(
        (name) => name.endsWith('.log') || name.includes('tasks-api'),
      );
      const text = (await Promise.all(files.map((name) => readFile(path.join(logDir, name), 'utf8')))).join(
        '',
      );
      return text
        .split('\n')
        .filter((line) => line.includes('walked-away-upload'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    };
    let lines: Record<string, unknown>[] = [];
    await eventually(async () => {
      lines = await linesOf();
      return lines.some((line) => line.msg === 'request rejected' || line.msg === 'dependency unavailable');
    }, 'the log line of the walked-away upload');
    expect(lines.map((line) => line.msg)).not.toContain('dependency unavailable');
    expect(lines.find((line) => line.msg === 'request rejected')).toMatchObject({
      code: 'MALFORMED_REQUEST',
      level: 30,
    });
    const metrics = await (await fetch(`${api.baseUrl}/metrics`)).text();
    expect(metrics).not.toMatch(/http_request_duration_seconds_count\{[^}]*status_code="5\d\d"/);
    expect(await countTasks(api)).toBe(before);
  });
});
