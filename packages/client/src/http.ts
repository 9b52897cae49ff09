/**
 * One JSON request over `fetch` (browser and Node): problem+json answers become `TesseraApiError`,
 * a network failure `TesseraClientError('NetworkError')`, a non-JSON success `InvalidAnswer`.
 */
import { type Problem, TesseraApiError, TesseraClientError } from './errors.js';

/** What the client sends: the part of `RequestInit` it uses. */
export interface FetchInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** What the client reads of an answer: the part of `Response` it uses. */
export interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** `globalThis.fetch` fits; so does `nodeFetch` (`@tessera/client/node`), which loads faster. */
export type Fetch = (url: string, init?: FetchInit) => Promise<FetchResponse>;

export const defaultFetch: Fetch = (url, init) => globalThis.fetch(url, init);

export interface JsonResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: FetchResponse['headers'];
}

export async function requestJson<T>(
  fetchFn: Fetch,
  url: string,
  init: FetchInit,
): Promise<JsonResponse<T>> {
  const { res, text } = await requestText(fetchFn, url, init);
  if (res.status === 204 || text === '')
    return { status: res.status, body: undefined as T, headers: res.headers };
  try {
    return { status: res.status, body: JSON.parse(text) as T, headers: res.headers };
  } catch {
    throw new TesseraClientError('InvalidAnswer', `${url} answered ${res.status} with non-JSON`);
  }
}

/** One request whose successful answer is read as text (a CSV); problems as for `requestJson`. */
export async function requestText(
  fetchFn: Fetch,
  url: string,
  init: FetchInit,
): Promise<{ res: FetchResponse; text: string }> {
  let res: FetchResponse;
  try {
    res = await fetchFn(url, init);
  } catch (err) {
    throw new TesseraClientError(
      'NetworkError',
      `cannot reach ${new URL(url).origin}: ${(err as Error).message}`,
    );
  }
  const text = await res.text();
  if (!res.ok) throw problemOf(res, text);
  return { res, text };
}

function problemOf(res: FetchResponse, text: string): TesseraApiError {
  let raw: Partial<Problem> = {};
  try {
    raw = JSON.parse(text) as Partial<Problem>;
  } catch {
    // not problem+json (a proxy's page): keep the status
  }
  const retry = Number(res.headers.get('retry-after'));
  return new TesseraApiError(
    {
      status: res.status,
      code: typeof raw.code === 'string' ? raw.code : `Http${res.status}`,
      ...(typeof raw.title === 'string' ? { title: raw.title } : {}),
      ...(typeof raw.detail === 'string' ? { detail: raw.detail } : {}),
      ...(typeof raw.field === 'string' ? { field: raw.field } : {}),
      ...(Array.isArray(raw.issues) ? { issues: raw.issues } : {}),
    },
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}
