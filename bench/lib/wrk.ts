/**
 * Load from wrk (Debian package `wrk`), a C load generator in its own
 * process: it leaves the cores to the system under test far better than a
 * Node generator would. Each scenario is a generated Lua script; the
 * results come back as one JSON line printed by the script's `done()`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Socket errors and timeouts, plus non-2xx/3xx answers. */
  errors: number;
  non2xx: number;
  /** 503 answers with Retry-After (admission control refusing), when counted (`countRefusals`); among `non2xx`. */
  refused?: number;
}

export interface Request {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  url: string;
  /** Requests the script cycles through (each wrk connection starts at a different offset). */
  requests: Request[];
  connections: number;
  seconds: number;
  timeoutSeconds?: number;
  /** Count 503 + Retry-After answers apart (wrk then hands every response to the script: a little slower). */
  countRefusals?: boolean;
}

const RESULT_MARKER = 'WRK_RESULT ';

/** Threads are kept at setup so that `done` can read each one's count of refusals. */
const REFUSAL_COUNTING = `
refused = 0
setup = function(thread) threads[#threads + 1] = thread end
response = function(status, headers, body)
  if status == 503 and (headers["retry-after"] or headers["Retry-After"]) then refused = refused + 1 end
end`;

const luaString = (text: string) =>
  `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/**
 * The Lua script and its data file: requests are pre-formatted once (at
 * `init`) from the file, then handed out round-robin. Distinct header sets
 * (one per token) are few and live in the script; the requests, up to
 * hundreds of thousands, are lines `method TAB path TAB header-set TAB body`.
 */
export function wrkScript(
  requests: Request[],
  dataFile: string,
  countRefusals = false,
): { lua: string; data: string } {
  const headerSets: string[] = [];
  const indexOf = new Map<string, number>();
  const lines = requests.map((request) => {
    const key = JSON.stringify(request.headers);
    let index = indexOf.get(key);
    if (index === undefined) {
      index = headerSets.length + 1;
      indexOf.set(key, index);
      const pairs = Object.entries(request.headers).map(
        ([name, value]) => `[${luaString(name)}] = ${luaString(value)}`,
      );
      headerSets.push(`{ ${pairs.join(', ')} }`);
    }
    return [request.method, request.path, index, request.body ?? ''].join('\t');
  });
  const lua = `
threads = {}
local headerSets = { ${headerSets.join(',\n  ')} }
local requests = {}
local counter = 0
init = function(args)
  for line in io.lines(${luaString(dataFile)}) do
    local method, path, headers, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if body == "" then body = nil end
    requests[#requests + 1] = wrk.format(method, path, headerSets[tonumber(headers)], body)
  end
  counter = math.random(#requests)
end
request = function()
  counter = counter % #requests + 1
  return requests[counter]
end
${countRefusals ? REFUSAL_COUNTING : ''}
done = function(summary, latency, requests)
  local errors = summary.errors
  local refused = -1
  for _, thread in ipairs(threads) do refused = math.max(refused, 0) + thread:get("refused") end
  io.write(${luaString(RESULT_MARKER)} .. string.format(
    '{"requests":%d,"durationUs":%d,"p50":%d,"p99":%d,"max":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d,"refused":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status, refused))
end
`;
  return { lua, data: `${lines.join('\n')}\n` };
}

interface WrkSummary {
  requests: number;
  durationUs: number;
  p50: number;
  p99: number;
  max: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  status: number;
  /** -1 when not counted */
  refused: number;
}

export function parseWrkOutput(output: string): LoadResult {
  const line = output.split('\n').find((text) => text.startsWith(RESULT_MARKER));
  if (!line) throw new Error(`wrk printed no result:\n${output}`);
  const summary = JSON.parse(line.slice(RESULT_MARKER.length)) as WrkSummary;
  const seconds = summary.durationUs / 1e6;
  return {
    requests: summary.requests,
    seconds,
    requestsPerSecond: summary.requests / seconds,
    latencyMs: { p50: summary.p50 / 1000, p99: summary.p99 / 1000, max: summary.max / 1000 },
    errors: summary.connect + summary.read + summary.write + summary.timeout + summary.status,
    non2xx: summary.status,
    ...(summary.refused >= 0 ? { refused: summary.refused } : {}),
  };
}

export async function runWrk(options: LoadOptions): Promise<LoadResult> {
  const folder = await mkdtemp(path.join(tmpdir(), 'tasks-bench-'));
  const script = path.join(folder, 'scenario.lua');
  const dataFile = path.join(folder, 'requests.tsv');
  const { lua, data } = wrkScript(options.requests, dataFile, options.countRefusals);
  await writeFile(script, lua);
  await writeFile(dataFile, data);
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    `--timeout`,
    `${options.timeoutSeconds ?? 10}s`,
    '-s',
    script,
    options.url,
  ];
  const output = await new Promise<string>((resolve, reject) => {
    execFile('wrk', args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          missing ? new Error('wrk is not installed: apt-get install wrk') : new Error(`${error}\n${stderr}`),
        );
      } else resolve(stdout);
    });
  });
  return parseWrkOutput(output);
}
