import { describe, expect, it } from 'vitest';
import type { DirectoryUser } from '../src/iam/directory.js';
import { type CredentialSource, type SignedRequest, verifySigV4 } from '../src/sigv4/index.js';
import { SessionRegistry } from '../src/sts/sessions.js';
import { EXAMPLE, signedRequests } from './support-signed-requests.js';

/** Requests signed here by the JS SDK's signer, in the shapes of AWS's SigV4 test suite. */
const suite = { ...EXAMPLE, signedRequests: await signedRequests() };

/** A raw HTTP/1.1 request as the suite writes it; continuation lines are further values (as AWS's .creq shows). */
function parseRaw(raw: string): SignedRequest {
  const [head = '', body] = raw.split('\n\n');
  const [requestLine = '', ...lines] = head.split('\n');
  const [, method = '', url = ''] = /^(\S+) (.*) HTTP\/1\.1$/.exec(requestLine) ?? [];
  const headers: Record<string, string[]> = {};
  let last: string[] | undefined;
  for (const line of lines) {
    if (/^\s/.test(line) && last) {
      last.push(line);
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    headers[name] ??= [];
    last = headers[name];
    last.push(line.slice(colon + 1).trim()); // as node:http hands header values over
  }
  return {
    method,
    url,
    headers,
    body: new TextEncoder().encode(body ?? ''),
  };
}

function exampleUser(secretAccessKey: string): CredentialSource {
  const registry = new SessionRegistry();
  const user = {
    arn: 'arn:aws:iam::111111111111:user/example',
    userId: 'AIDAEXAMPLE',
    account: '111111111111',
    identityPolicies: [],
  } as unknown as DirectoryUser;
  registry.addUser(user, { accessKeyId: suite.accessKeyId, secretAccessKey });
  // The suite signs with a session token on a long-term key: look the key up without it.
  return { lookup: (accessKeyId) => registry.lookup(accessKeyId, undefined) };
}

const at = (iso: string) => () => Date.parse(iso);
const options = (secret = suite.secretAccessKey, now = at(suite.signedAt)) => ({
  service: suite.service,
  registry: exampleUser(secret),
  now,
  region: suite.region,
});

describe('verifySigV4 against requests signed by the JS SDK in the SigV4 test suite shapes', () => {
  const cases = Object.entries(suite.signedRequests);

  it.each(cases)('accepts %s as signed', async (_name, raw) => {
    const result = await verifySigV4(parseRaw(raw), options());
    expect(result).toMatchObject({
      ok: true,
      accessKeyId: 'AKIDEXAMPLE',
      credentialScope: '20150830/us-east-1/service/aws4_request',
      presigned: false,
      bodyVerified: true,
    });
  });

  it.each(cases)('refuses %s under another secret (signature-mismatch)', async (_name, raw) => {
    const result = await verifySigV4(parseRaw(raw), options(`${suite.secretAccessKey}x`));
    expect(result).toMatchObject({
      ok: false,
      reason: 'signature-mismatch',
      code: 'SignatureDoesNotMatch',
      status: 403,
    });
  });

  it('refuses a changed signed header, method, path, query or body, and ignores an unsigned header', async () => {
    const base = parseRaw(suite.signedRequests['post-x-www-form-urlencoded']!);
    const tamper = async (changed: Partial<SignedRequest>) =>
      (await verifySigV4({ ...base, ...changed }, options())).ok;
    expect(await tamper({})).toBe(true);
    expect(await tamper({ headers: { ...base.headers, 'x-unsigned': ['anything'] } })).toBe(true);
    expect(await tamper({ headers: { ...base.headers, 'content-type': ['text/plain'] } })).toBe(
      false,
    );
    expect(await tamper({ method: 'PUT' })).toBe(false);
    expect(await tamper({ url: '/other' })).toBe(false);
    expect(await tamper({ url: '/?Param1=value1' })).toBe(false);
    expect(await tamper({ body: new TextEncoder().encode('Param1=value2') })).toBe(false);
  });

  it('refuses 15 minutes and one second either side of the signing time', async () => {
    const raw = parseRaw(suite.signedRequests['get-vanilla']!);
    const signedAt = Date.parse(suite.signedAt);
    for (const delta of [-15 * 60_000, 15 * 60_000]) {
      expect(
        (
          await verifySigV4(
            raw,
            options(undefined, () => signedAt + delta),
          )
        ).ok,
      ).toBe(true);
    }
    const late = await verifySigV4(
      raw,
      options(undefined, () => signedAt + 15 * 60_000 + 1000),
    );
    expect(late).toMatchObject({
      ok: false,
      reason: 'request-time-skewed',
      code: 'SignatureDoesNotMatch',
    });
    expect(late.ok || late.message).toBe(
      'Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)',
    );
    const early = await verifySigV4(
      raw,
      options(undefined, () => signedAt - 15 * 60_000 - 1000),
    );
    expect(early).toMatchObject({
      ok: false,
      reason: 'request-time-skewed',
      code: 'SignatureDoesNotMatch',
    });
    expect(early.ok || early.message).toMatch(
      /^Signature not yet current: 20150830T123600Z is still later than /,
    );
  });
});

describe('verifySigV4 refusals, and the code each service answers', () => {
  const raw = parseRaw(suite.signedRequests['get-vanilla']!);
  const authorization = String(raw.headers.authorization);
  const withHeaders = (headers: Record<string, string | string[] | undefined>): SignedRequest => ({
    ...raw,
    headers: { ...raw.headers, ...headers },
  });
  const refusal = async (request: SignedRequest, service = suite.service) => {
    const result = await verifySigV4(request, { ...options(), service });
    if (result.ok) throw new Error('expected a refusal');
    return { reason: result.reason, code: result.code, status: result.status };
  };

  it('no authentication: MissingAuthenticationToken (Query services), AccessDenied (S3)', async () => {
    const anonymous = withHeaders({ authorization: undefined });
    expect(await refusal(anonymous)).toEqual({
      reason: 'missing-authentication',
      code: 'MissingAuthenticationToken',
      status: 403,
    });
    expect(await refusal(anonymous, 's3')).toEqual({
      reason: 'missing-authentication',
      code: 'AccessDenied',
      status: 403,
    });
  });

  it.each([
    ['SigV2', 'AWS AKIDEXAMPLE:c2lnbmF0dXJl'],
    ['SigV4a', authorization.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256')],
    ['no Signature', authorization.replace(/, Signature=.*$/, '')],
    ['host not signed', authorization.replace('SignedHeaders=host;', 'SignedHeaders=')],
    ['x-amz-date not signed', authorization.replace(';x-amz-date', '')],
    ['a short scope', authorization.replace('/service/aws4_request', '/aws4_request')],
    [
      'an upper-case signature',
      authorization.replace(/Signature=(\w+)/, (_m, s) => `Signature=${s.toUpperCase()}`),
    ],
  ])(
    'a malformed Authorization header (%s): IncompleteSignature / AuthorizationHeaderMalformed',
    async (_name, value) => {
      expect(await refusal(withHeaders({ authorization: value }))).toEqual({
        reason: 'malformed-authorization',
        code: 'IncompleteSignature',
        status: 400,
      });
      expect(await refusal(withHeaders({ authorization: value }), 's3')).toEqual({
        reason: 'malformed-authorization',
        code: 'AuthorizationHeaderMalformed',
        status: 400,
      });
    },
  );

  it('a header and a query signature at once is malformed', async () => {
    const both = { ...raw, url: '/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00' };
    expect((await refusal(both)).reason).toBe('malformed-authorization');
  });

  it('an unknown key, a token on a long-term key, another scope date or region', async () => {
    const registry = new SessionRegistry();
    const run = (request: SignedRequest) => verifySigV4(request, { ...options(), registry });
    expect(await run(raw)).toMatchObject({
      reason: 'unknown-access-key',
      code: 'InvalidClientTokenId',
    });
    const s3 = await verifySigV4(raw, { ...options(), registry, service: 's3' });
    expect(s3).toMatchObject({ reason: 'wrong-service' });
    expect(await refusal(withHeaders({ 'x-amz-date': '20150831T123600Z' }))).toMatchObject({
      reason: 'wrong-scope-date',
      code: 'SignatureDoesNotMatch',
      status: 403,
    });
    const elsewhere = await verifySigV4(raw, { ...options(), region: 'eu-west-1' });
    expect(elsewhere).toMatchObject({
      ok: false,
      reason: 'wrong-region',
      code: 'SignatureDoesNotMatch',
    });
  });

  it('x-amz-content-sha256 other than a hex digest is refused outside S3; a wrong digest after the signature', async () => {
    expect(await refusal(withHeaders({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }))).toEqual({
      reason: 'invalid-content-sha256',
      code: 'IncompleteSignature',
      status: 400,
    });
    // Not signed here, so the signature (over the body's real hash) no longer matches.
    expect((await refusal(withHeaders({ 'x-amz-content-sha256': 'a'.repeat(64) }))).reason).toBe(
      'signature-mismatch',
    );
  });
});
