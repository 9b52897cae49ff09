/**
 * Typed calls for every route of the Tessera API. The token comes from a function, so a caller
 * can refresh it (see `Session`); each call asks for it once.
 */
import { TesseraClientError } from './errors.js';
import { defaultFetch, type Fetch, type FetchResponse, requestJson, requestText } from './http.js';
import type {
  AuditPage,
  AuditQuery,
  BindingWithVersion,
  BindingWriteAnswer,
  ConsoleAnswer,
  ConsoleRequest,
  CredentialProcessOutput,
  EventTrailAnswer,
  ReviewPage,
  ReviewQuery,
  Revocation,
  RevocationRequest,
  RevocationWriteAnswer,
  RolesAnswer,
  SimulateAnswer,
  SimulateRequest,
  StoredBinding,
  SubjectTrailPage,
  SubjectTrailQuery,
  VendAnswer,
  VendRequest,
  WhatIfAnswer,
  WhatIfRequest,
} from './types.js';

export interface TesseraApiOptions {
  /** The API's base URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com`. */
  readonly api: string;
  /** A valid Cognito token (ID or access, as the deployment accepts). */
  readonly token: () => Promise<string>;
  readonly fetch?: Fetch;
}

export class TesseraApi {
  private readonly base: string;
  private readonly fetchFn: Fetch;

  constructor(private readonly options: TesseraApiOptions) {
    if (!/^https?:\/\//.test(options.api)) {
      throw new TesseraClientError(
        'InvalidConfig',
        `api must be an http(s) URL, got "${options.api}"`,
      );
    }
    this.base = options.api.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? defaultFetch;
  }

  async credentials(request: VendRequest): Promise<VendAnswer> {
    return (await this.call<VendAnswer>('POST', '/v1/credentials', request)).body;
  }

  async credentialProcess(request: VendRequest): Promise<CredentialProcessOutput> {
    return (
      await this.call<CredentialProcessOutput>(
        'POST',
        '/v1/credentials?format=credential_process',
        request,
      )
    ).body;
  }

  async roles(): Promise<RolesAnswer> {
    return (await this.call<RolesAnswer>('GET', '/v1/roles')).body;
  }

  async simulate(request: SimulateRequest): Promise<SimulateAnswer> {
    return (await this.call<SimulateAnswer>('POST', '/v1/simulate', request)).body;
  }

  async console(request: ConsoleRequest): Promise<ConsoleAnswer> {
    return (await this.call<ConsoleAnswer>('POST', '/v1/console', request)).body;
  }

  async audit(query: AuditQuery = {}): Promise<AuditPage> {
    return (await this.call<AuditPage>('GET', `/v1/audit${queryString(query)}`)).body;
  }

  async auditMe(query: Pick<AuditQuery, 'limit' | 'cursor'> = {}): Promise<AuditPage> {
    return (await this.call<AuditPage>('GET', `/v1/audit/me${queryString(query)}`)).body;
  }

  /** (administrators) One audit event and what was done with the credentials it vended. */
  async eventTrail(eventId: string): Promise<EventTrailAnswer> {
    const path = `/v1/audit/${encodeURIComponent(eventId)}/trail`;
    return (await this.call<EventTrailAnswer>('GET', path)).body;
  }

  /** (administrators) A subject's grants in a time range, each with its trail. */
  async subjectTrail(query: SubjectTrailQuery): Promise<SubjectTrailPage> {
    return (await this.call<SubjectTrailPage>('GET', `/v1/audit/trail${queryString(query)}`)).body;
  }

  async listBindings(issuer?: string): Promise<{ issuer: string; bindings: StoredBinding[] }> {
    const q = issuer ? `?issuer=${encodeURIComponent(issuer)}` : '';
    return (
      await this.call<{ issuer: string; bindings: StoredBinding[] }>(
        'GET',
        `/v1/admin/bindings${q}`,
      )
    ).body;
  }

  async getBinding(id: string, issuer?: string): Promise<BindingWithVersion> {
    const q = issuer ? `?issuer=${encodeURIComponent(issuer)}` : '';
    const res = await this.call<{ binding: StoredBinding }>(
      'GET',
      `/v1/admin/bindings/${encodeURIComponent(id)}${q}`,
    );
    return { binding: res.body.binding, version: versionOf(res.headers, res.body.binding) };
  }

  /**
   * Create (`ifMatch` undefined: only if no binding has the id) or replace (`ifMatch` = the
   * version the change is based on; 412 `BindingVersionConflict` when another write came first).
   */
  async putBinding(
    id: string,
    document: Readonly<Record<string, unknown>>,
    ifMatch: number | undefined,
  ): Promise<BindingWriteAnswer> {
    const headers: Record<string, string> =
      ifMatch === undefined ? { 'if-none-match': '*' } : { 'if-match': `"${ifMatch}"` };
    const res = await this.call<Omit<BindingWriteAnswer, 'created'>>(
      'PUT',
      `/v1/admin/bindings/${encodeURIComponent(id)}`,
      document,
      headers,
    );
    return { ...res.body, warnings: res.body.warnings ?? [], created: res.status === 201 };
  }

  async deleteBinding(id: string, ifMatch: number): Promise<void> {
    await this.call('DELETE', `/v1/admin/bindings/${encodeURIComponent(id)}`, undefined, {
      'if-match': `"${ifMatch}"`,
    });
  }

  /** Who would gain and lose access if these bindings were put and removed (nothing is written). */
  async whatIf(request: WhatIfRequest, issuer?: string): Promise<WhatIfAnswer> {
    const q = issuer ? `?issuer=${encodeURIComponent(issuer)}` : '';
    return (await this.call<WhatIfAnswer>('POST', `/v1/admin/what-if${q}`, request)).body;
  }

  /** One page of the access review (JSON); `cursor` is absent on the last page. */
  async review(query: ReviewQuery = {}): Promise<ReviewPage> {
    return (await this.call<ReviewPage>('GET', `/v1/admin/review${queryString(query)}`)).body;
  }

  /**
   * One page of the access review as the server's CSV (`format=csv`); `cursor` (the answer's
   * `X-Next-Cursor`) is absent on the last page.
   */
  async reviewCsv(query: ReviewQuery = {}): Promise<{ text: string; cursor?: string }> {
    const token = await this.options.token();
    const { res, text } = await requestText(
      this.fetchFn,
      `${this.base}/v1/admin/review${queryString({ ...query, format: 'csv' })}`,
      { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'text/csv' } },
    );
    const cursor = res.headers.get('x-next-cursor');
    return cursor ? { text, cursor } : { text };
  }

  async listRevocations(issuer?: string): Promise<{ issuer: string; revocations: Revocation[] }> {
    const q = issuer ? `?issuer=${encodeURIComponent(issuer)}` : '';
    return (
      await this.call<{ issuer: string; revocations: Revocation[] }>(
        'GET',
        `/v1/admin/revocations${q}`,
      )
    ).body;
  }

  /** Revoke a subject: no new vend, and its sessions already issued are denied. */
  async revoke(request: RevocationRequest): Promise<RevocationWriteAnswer> {
    return (await this.call<RevocationWriteAnswer>('POST', '/v1/admin/revocations', request)).body;
  }

  /** Lift a revocation: new vends are allowed again (earlier sessions stay denied). */
  async liftRevocation(id: string): Promise<RevocationWriteAnswer> {
    return (
      await this.call<RevocationWriteAnswer>(
        'DELETE',
        `/v1/admin/revocations/${encodeURIComponent(id)}`,
      )
    ).body;
  }

  async health(): Promise<{ status: string }> {
    return (await requestJson<{ status: string }>(this.fetchFn, `${this.base}/healthz`, {})).body;
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ) {
    const token = await this.options.token();
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...extraHeaders,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return requestJson<T>(this.fetchFn, `${this.base}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }
}

function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query) as [string, unknown][])
    if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function versionOf(headers: FetchResponse['headers'], binding: StoredBinding): number {
  const etag = /^(?:W\/)?"(\d+)"$/.exec(headers.get('etag') ?? '');
  return etag ? Number(etag[1]) : binding.version;
}
