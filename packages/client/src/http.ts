/**
 * One JSON request over `fetch` (browser and Node): problem+json answers become `TesseraApiError`,
 * a network failure `TesseraClientError('NetworkError')`, a non-JSON success `InvalidAnswer`.
 */
import { type Problem, TesseraApiError, TesseraClientError } from './errors.js';

export type Fetch = typeof globalThis.fetch;

export interface JsonResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export async function requestJson<T>(
  fetchFn: Fetch,
  url: string,
  init: RequestInit,
): Promise<JsonResponse<T>> {
  let res: Response;
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
  if (res.status === 204 || text === '')
    return { status: res.status, body: undefined as T, headers: res.headers };
  try {
    return { status: res.status, body: JSON.parse(text) as T, headers: res.headers };
  } catch {
    throw new TesseraClientError('InvalidAnswer', `${url} answered ${res.status} with non-JSON`);
  }
}

function problemOf(res: Response, text: string): TesseraApiError {
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
