/**
 * Issue 16, "admin that round-trips", through real HTTP against the local stack: what
 * `GET /v1/admin/bindings/{id}` answers can be PUT back unchanged; server-managed fields that
 * differ from the stored ones are refused together with every other problem, each by JSON Pointer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startStack } from '../src/index.js';
import { signIn, tempHome } from './helpers.js';

interface Answer {
  readonly status: number;
  readonly etag: string | null;
  readonly type: string | null;
  readonly json: Record<string, unknown> & {
    binding?: Record<string, unknown>;
    issues?: { field: string; code: string }[];
  };
}

describe('admin bindings round-trip (local stack, real HTTP)', () => {
  const { home, cleanup } = tempHome();
  let stack: LocalStack;
  let token: string;

  beforeAll(async () => {
    stack = await startStack({ home, ports: 0 });
    const admin = stack.info.users.find((u) => u.username === 'admin')!;
    const { body } = await signIn(
      stack.info.cognitoIdp,
      stack.info.issuer.clients.cli!,
      'admin',
      admin.password,
    );
    token = body.AuthenticationResult.IdToken;
  });
  afterAll(async () => {
    await stack?.stop();
    cleanup();
  });

  async function call(
    method: 'GET' | 'PUT',
    id: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const res = await fetch(`${stack.info.api}/v1/admin/bindings/${id}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    return {
      status: res.status,
      etag: res.headers.get('etag'),
      type: res.headers.get('content-type'),
      json: (await res.json()) as Answer['json'],
    };
  }

  it('PUTs back what GET answered, unchanged, with its ETag in If-Match', async () => {
    const got = await call('GET', 'app-upload');
    expect([got.status, got.etag]).toEqual([200, '"1"']);
    const stored = got.json.binding!;
    const put = await call('PUT', 'app-upload', {
      body: stored,
      headers: { 'if-match': got.etag! },
    });
    expect([put.status, put.etag]).toEqual([200, '"2"']);
    const { version, updatedAt, updatedBy, ...rest } = put.json.binding!;
    const { version: _v, updatedAt: _a, updatedBy: _b, ...before } = stored;
    expect(rest).toEqual(before);
    expect(version).toBe(2);
    expect([typeof updatedAt, typeof updatedBy]).toEqual(['string', 'string']);
  });

  it('PUTs back the whole GET answer with If-Match: * (whatever is stored)', async () => {
    const got = await call('GET', 'app-upload');
    const put = await call('PUT', 'app-upload', { body: got.json, headers: { 'if-match': '*' } });
    expect([put.status, put.etag]).toEqual([200, '"3"']);
    expect((await call('GET', 'app-upload')).etag).toBe('"3"');
  });

  it('refuses changed server-managed fields and every other problem in one 422, each by pointer', async () => {
    const got = await call('GET', 'app-upload');
    const binding = got.json.binding!;
    const put = await call('PUT', 'app-upload', {
      body: {
        ...binding,
        roleMaxSessionDuration: 43_200,
        updatedBy: 'mallory',
        durationSeconds: { default: 7200, max: 3600 },
        sessionTags: { 'aws:team': 'x' },
      },
      headers: { 'if-match': got.etag! },
    });
    expect([put.status, put.type]).toEqual([422, 'application/problem+json']);
    expect(put.json.code).toBe('BindingInvalid');
    expect(put.json.issues!.map((i) => [i.field, i.code])).toEqual([
      ['/sessionTags/aws:team', 'InvalidTagKey'],
      ['/durationSeconds/default', 'DefaultAboveMax'],
      ['/updatedBy', 'ServerFieldChanged'],
      ['/roleMaxSessionDuration', 'ServerFieldChanged'],
    ]);
    expect((await call('GET', 'app-upload')).etag).toBe(got.etag);
  });

  it('a copy read before another write is a 412 conflict, not a field-by-field refusal', async () => {
    const stale = await call('GET', 'app-upload');
    const next = await call('PUT', 'app-upload', {
      body: stale.json.binding,
      headers: { 'if-match': stale.etag! },
    });
    expect(next.status).toBe(200);
    const put = await call('PUT', 'app-upload', {
      body: stale.json.binding,
      headers: { 'if-match': stale.etag! },
    });
    expect([put.status, put.json.code]).toEqual([412, 'BindingVersionConflict']);
    expect((await call('GET', 'app-upload')).etag).toBe(next.etag);
  });

  it('If-Match: * with nothing stored is 412', async () => {
    const got = await call('GET', 'app-upload');
    const {
      id,
      version,
      updatedAt,
      updatedBy,
      roleMaxSessionDuration,
      roleDescription,
      permissionPolicies,
      ...document
    } = got.json.binding!;
    const put = await call('PUT', 'nobody-here', { body: document, headers: { 'if-match': '*' } });
    expect([put.status, put.json.code]).toEqual([412, 'BindingVersionConflict']);
  });
});
