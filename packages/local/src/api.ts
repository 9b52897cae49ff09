/**
 * API Gateway HTTP API emulation (payload format 2.0): each HTTP request becomes the
 * APIGatewayProxyEventV2 API Gateway would send, the matching route's real Lambda handler is
 * invoked with a Lambda Context, and its result is written back as API Gateway would.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { BodyTooLargeError, type LocalServer, listen, readBody } from './http.js';

export type LambdaHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2 | undefined>;

export interface ApiRoute {
  readonly method: string;
  /** API Gateway route path: `/v1/admin/bindings/{id}`, `/{proxy+}`. */
  readonly path: string;
  /** The Lambda function name the route invokes (for the Context). */
  readonly functionName: string;
  readonly handler: LambdaHandler;
}

/** API Gateway's payload limit. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
const ACCOUNT = '111111111111';
const API_ID = 'tesseralocal';

interface CompiledRoute extends ApiRoute {
  readonly pattern: RegExp;
  readonly params: readonly string[];
  readonly routeKey: string;
}

function compileRoute(route: ApiRoute): CompiledRoute {
  const params: string[] = [];
  const source = route.path
    .split('/')
    .map((seg) => {
      const greedy = /^\{([A-Za-z0-9_]+)\+\}$/.exec(seg);
      if (greedy) {
        params.push(greedy[1]!);
        return '(.+)';
      }
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(seg);
      if (param) {
        params.push(param[1]!);
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return {
    ...route,
    pattern: new RegExp(`^${source}$`),
    params,
    routeKey: `${route.method.toUpperCase()} ${route.path}`,
  };
}

/** Text-like bodies are passed as strings; everything else base64, as HTTP APIs do. */
function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    /^application\/(json|[\w.+-]*\+json|xml|[\w.+-]*\+xml|javascript|problem\+json)$/.test(type)
  );
}

function clfTime(d: Date): string {
  const months = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function toEvent(
  req: IncomingMessage,
  body: Buffer,
  route: { routeKey: string; pathParameters: Record<string, string> | undefined },
  meta: { requestId: string; now: Date; domainName: string },
): APIGatewayProxyEventV2 {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const rawQueryString = q === -1 ? '' : rawUrl.slice(q + 1);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies = [
        ...(cookies ?? []),
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      ];
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  // As API Gateway: the source IP is the TCP peer; a client-sent X-Forwarded-For is kept as
  // written with the peer appended, and never becomes the source IP.
  const peer = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  headers['x-forwarded-for'] =
    headers['x-forwarded-for'] === undefined ? peer : `${headers['x-forwarded-for']}, ${peer}`;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(req.socket.localPort ?? '');
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(meta.now.getTime() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`;

  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString) {
    queryStringParameters = {};
    for (const [k, v] of new URLSearchParams(rawQueryString)) {
      queryStringParameters[k] =
        queryStringParameters[k] === undefined ? v : `${queryStringParameters[k]},${v}`;
    }
  }
  let decodedPath = rawPath;
  try {
    decodedPath = decodeURIComponent(rawPath);
  } catch {
    // keep the raw path
  }
  const textual = isTextual(headers['content-type']);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(route.pathParameters ? { pathParameters: route.pathParameters } : {}),
    requestContext: {
      accountId: ACCOUNT,
      apiId: API_ID,
      domainName: meta.domainName,
      domainPrefix: meta.domainName.split('.')[0]!,
      http: {
        method: req.method ?? 'GET',
        path: decodedPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: peer,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: meta.requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: clfTime(meta.now),
      timeEpoch: meta.now.getTime(),
    },
    isBase64Encoded: body.length > 0 && !textual,
  };
  if (body.length > 0) event.body = textual ? body.toString('utf8') : body.toString('base64');
  return event;
}

function lambdaContext(functionName: string, requestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function problem(
  res: ServerResponse,
  status: number,
  code: string,
  title: string,
  detail: string,
  extra: Record<string, string> = {},
): void {
  const body = JSON.stringify({ type: 'about:blank', title, status, code, detail });
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

/** Writes a Lambda result back as API Gateway (payload 2.0) does. */
export function writeResult(
  res: ServerResponse,
  result: APIGatewayProxyResultV2 | undefined,
  requestId: string,
): void {
  let structured: APIGatewayProxyStructuredResultV2;
  if (result === undefined || result === null) {
    structured = { statusCode: 200, body: '' };
  } else if (typeof result === 'string') {
    structured = { statusCode: 200, body: result, headers: { 'content-type': 'application/json' } };
  } else if (typeof result === 'object' && 'statusCode' in result) {
    structured = result as APIGatewayProxyStructuredResultV2;
  } else {
    structured = {
      statusCode: 200,
      body: JSON.stringify(result),
      headers: { 'content-type': 'application/json' },
    };
  }
  const headers: Record<string, string | string[]> = { 'apigw-requestid': requestId };
  // A middleware "removing" a header sets it to undefined: leave it out, never write "undefined".
  for (const [k, v] of Object.entries(structured.headers ?? {}))
    if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
  const multi = (
    structured as { multiValueHeaders?: Record<string, (string | number | boolean)[]> }
  ).multiValueHeaders;
  for (const [k, vs] of Object.entries(multi ?? {})) headers[k.toLowerCase()] = vs.map(String);
  if (structured.cookies && structured.cookies.length > 0) {
    const existing = headers['set-cookie'];
    headers['set-cookie'] = [
      ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]),
      ...structured.cookies,
    ];
  }
  const body =
    structured.body === undefined
      ? Buffer.alloc(0)
      : structured.isBase64Encoded
        ? Buffer.from(structured.body, 'base64')
        : Buffer.from(structured.body, 'utf8');
  if (headers['content-type'] === undefined && body.length > 0)
    headers['content-type'] = 'application/json';
  headers['content-length'] = String(body.length);
  res.writeHead(structured.statusCode ?? 200, headers);
  res.end(body);
}

const API_MAX_HEADER_BYTES = 32 * 1024;

export async function startApi(
  routes: readonly ApiRoute[],
  options: {
    port: number;
    fallbackToRandom: boolean;
    timeoutMs?: number;
    log?: (line: string) => void;
    /** Requests no route takes (the portal's static files); answers false to leave them to the 404. */
    fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  },
): Promise<LocalServer> {
  const compiled = routes.map(compileRoute);
  let domainName = '127.0.0.1';
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const now = new Date();
    const path = (req.url ?? '/').split('?')[0]!;
    const method = (req.method ?? 'GET').toUpperCase();
    const byPath = compiled.filter((r) => r.pattern.test(path));
    const route = byPath.find(
      (r) => r.method.toUpperCase() === method || r.method.toUpperCase() === 'ANY',
    );
    if (!route) {
      req.resume();
      if (byPath.length === 0 && options.fallback && (await options.fallback(req, res))) return;
      if (byPath.length > 0) {
        return problem(
          res,
          405,
          'MethodNotAllowed',
          'Method Not Allowed',
          `${method} is not allowed on ${path}`,
          {
            allow: byPath.map((r) => r.method.toUpperCase()).join(', '),
          },
        );
      }
      return problem(res, 404, 'RouteNotFound', 'Not Found', `no route for ${method} ${path}`);
    }
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        res.setHeader('connection', 'close');
        return problem(
          res,
          413,
          'PayloadTooLarge',
          'Request Entity Too Large',
          `the body exceeds ${MAX_BODY_BYTES} bytes`,
        );
      }
      throw err;
    }
    const match = route.pattern.exec(path)!;
    let pathParameters: Record<string, string> | undefined;
    if (route.params.length > 0) {
      pathParameters = {};
      route.params.forEach((name, i) => {
        const raw = match[i + 1]!;
        try {
          pathParameters![name] = decodeURIComponent(raw);
        } catch {
          pathParameters![name] = raw;
        }
      });
    }
    const event = toEvent(
      req,
      body,
      { routeKey: route.routeKey, pathParameters },
      { requestId, now, domainName },
    );
    let result: APIGatewayProxyResultV2 | undefined;
    try {
      result = await route.handler(
        event,
        lambdaContext(route.functionName, requestId, options.timeoutMs ?? 30_000),
      );
    } catch (err) {
      options.log?.(`api: ${route.functionName} threw: ${(err as Error)?.stack ?? String(err)}`);
      return problem(
        res,
        500,
        'InternalServerError',
        'Internal Server Error',
        'the function failed',
      );
    }
    writeResult(res, result, requestId);
  };
  const server = await listen(handler, {
    port: options.port,
    fallbackToRandom: options.fallbackToRandom,
    name: 'api',
    // Above the broker's own 16 KiB token cap, so an oversized token is refused (and recorded)
    // by the broker, not by Node. API Gateway refuses request heads over 10,240 bytes itself.
    maxHeaderBytes: API_MAX_HEADER_BYTES,
  });
  domainName = `127.0.0.1:${server.port}`;
  return server;
}
