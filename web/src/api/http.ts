/**
 * The one place requests to the API are made: the bearer token, problem
 * details turned into ApiError, 429 answered by waiting for Retry-After,
 * 503 and lost connections reported to the connectivity banner, and a 401
 * retried once with a renewed token before the session counts as ended.
 */
import { reportConnectivity } from './connectivity.ts';
import { ApiError, NetworkError, type ProblemBody } from './problem.ts';

export interface Session {
  accessToken(): string | undefined;
  /** Renews the tokens; false when the session has ended. */
  renew(): Promise<boolean>;
  /** Called when a renewed token is refused too: the person must sign in again. */
  ended(): void;
}

let session: Session | undefined;
export const setSession = (value: Session) => {
  session = value;
};

/** Retries of one request after 429s, each after the server's Retry-After. */
const MAX_RATE_LIMIT_RETRIES = 3;
const MAX_RETRY_WAIT_SECONDS = 60;

export interface ApiResponse<T> {
  body: T;
  headers: Headers;
  status: number;
}

function retryAfterOf(headers: Headers): number | undefined {
  const value = Number(headers.get('retry-after'));
  return Number.isFinite(value) && value >= 0 ? Math.min(value, MAX_RETRY_WAIT_SECONDS) : undefined;
}

async function problemOf(response: Response): Promise<ProblemBody> {
  try {
    return (await response.json()) as ProblemBody;
  } catch {
    return { status: response.status, title: response.statusText };
  }
}

const wait = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function send(path: string, init: RequestInit): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = session?.accessToken();
  if (token) headers.set('authorization', `Bearer ${token}`);
  headers.set('accept', 'application/json, application/problem+json');
  try {
    return await fetch(path, { ...init, headers });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    reportConnectivity({ state: 'offline' });
    throw new NetworkError(error);
  }
}

export async function request<T>(path: string, init: RequestInit = {}): Promise<ApiResponse<T>> {
  let renewed = false;
  for (let attempt = 0; ; attempt += 1) {
    const response = await send(path, init);
    if (response.status === 503) {
      const retryAfterSeconds = retryAfterOf(response.headers);
      reportConnectivity({ state: 'unavailable', retryAfterSeconds });
      throw new ApiError(503, await problemOf(response), retryAfterSeconds);
    }
    if (response.status === 429 && attempt < MAX_RATE_LIMIT_RETRIES) {
      const retryAfterSeconds = retryAfterOf(response.headers) ?? 1;
      reportConnectivity({ state: 'throttled', retryAfterSeconds });
      await wait(retryAfterSeconds);
      continue;
    }
    reportConnectivity({ state: 'up' });
    if (response.status === 401 && !renewed && session) {
      renewed = true;
      if (await session.renew()) continue;
    }
    if (!response.ok) {
      if (response.status === 401) session?.ended();
      throw new ApiError(response.status, await problemOf(response), retryAfterOf(response.headers));
    }
    const body = (response.status === 204 ? undefined : await response.json()) as T;
    return { body, headers: response.headers, status: response.status };
  }
}
