import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from '../src/http.js';
import { MAX_BODY_BYTES, startApi } from '../src/index.js';

describe('API Gateway HTTP API emulation (payload 2.0)', () => {
  let server: LocalServer;
  let last: APIGatewayProxyEventV2 | undefined;

  beforeAll(async () => {
    server = await startApi(
      [
        {
          method: 'POST',
          path: '/v1/things/{id}',
          functionName: 'things',
          handler: async (event) => {
            last = event;
            return {
              statusCode: 201,
              headers: { 'X-Custom': 'yes' },
              cookies: ['a=1; Path=/', 'b=2; Path=/'],
              body: JSON.stringify({ ok: true }),
            };
          },
        },
        {
          method: 'GET',
          path: '/bin',
          functionName: 'bin',
          handler: async () => ({
            statusCode: 200,
            headers: { 'content-type': 'application/octet-stream' },
            body: Buffer.from([0, 1, 2, 255]).toString('base64'),
            isBase64Encoded: true,
          }),
        },
        {
          method: 'GET',
          path: '/boom',
          functionName: 'boom',
          handler: async () => {
            throw new Error('secret detail');
          },
        },
      ],
      { port: 0, fallbackToRandom: false },
    );
  });
  afterAll(() => server.close());

  it('builds the event API Gateway would send', async () => {
    const res = await fetch(`${server.url}/v1/things/a%20b?x=1&x=2&y=z`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Cookie: 'c1=v1; c2=v2',
        'User-Agent': 'test-agent',
        'X-Multi': 'one',
      },
      body: '{"hello":"world"}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-custom')).toBe('yes');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(res.headers.get('apigw-requestid')).toBe(last?.requestContext.requestId);
    expect(last).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/things/{id}',
      rawPath: '/v1/things/a%20b',
      rawQueryString: 'x=1&x=2&y=z',
      cookies: ['c1=v1', 'c2=v2'],
      queryStringParameters: { x: '1,2', y: 'z' },
      pathParameters: { id: 'a b' },
      body: '{"hello":"world"}',
      isBase64Encoded: false,
      requestContext: {
        http: {
          method: 'POST',
          path: '/v1/things/a b',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'test-agent',
        },
        routeKey: 'POST /v1/things/{id}',
        stage: '$default',
        timeEpoch: expect.any(Number),
        time: expect.stringMatching(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/),
      },
    });
    expect(last?.headers['content-type']).toBe('application/json');
    expect(last?.headers['x-multi']).toBe('one');
    expect(last?.headers.cookie).toBeUndefined();
  });

  it('base64-encodes binary request bodies and decodes base64 results', async () => {
    await fetch(`${server.url}/v1/things/1`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(last?.isBase64Encoded).toBe(true);
    expect(last?.body).toBe(Buffer.from([1, 2, 3]).toString('base64'));
    const bin = await fetch(`${server.url}/bin`);
    expect(new Uint8Array(await bin.arrayBuffer())).toEqual(new Uint8Array([0, 1, 2, 255]));
  });

  it('answers 404/405/413 as problems and hides handler failures', async () => {
    expect((await fetch(`${server.url}/nothing`)).status).toBe(404);
    const wrong = await fetch(`${server.url}/v1/things/1`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const big = await fetch(`${server.url}/v1/things/1`, {
      method: 'POST',
      body: new Uint8Array(MAX_BODY_BYTES + 1),
    });
    expect(big.status).toBe(413);
    const boom = await fetch(`${server.url}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.text()).not.toContain('secret detail');
  });
});
