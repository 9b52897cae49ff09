/**
 * The middy stack every handler shares: header normalizer, CORS (when origins are configured),
 * security headers, one problem+json error handler, `Cache-Control: no-store` on every answer
 * (answers carry secrets), request-scoped logging, and for bodies a size cap before a proto-safe
 * JSON parse.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import middy, { type MiddlewareObj } from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { Audience } from '@tessera/broker';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { HttpInputError } from './errors.js';
import { codedOf, problemFor, problemResponse } from './problem.js';

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

type Middleware = MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/** Largest request body accepted, bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Refuses prototype-polluting keys while parsing. */
function protoSafeReviver(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new Error(`forbidden key ${key}`);
  return value;
}

function bodySizeCap(): Middleware {
  return {
    before: async ({ event }) => {
      if (event.body === undefined || event.body === null) return;
      const bytes = event.isBase64Encoded
        ? Math.floor((event.body.length * 3) / 4)
        : Buffer.byteLength(event.body, 'utf8');
      if (bytes > MAX_BODY_BYTES) {
        throw new HttpInputError(
          'PayloadTooLarge',
          `the body must be at most ${MAX_BODY_BYTES} bytes`,
          '',
        );
      }
    },
  };
}

const JSON_TYPE = /^application\/(.+\+)?json($|;.+)/;

/** The JSON body: the content type checked, then a proto-safe parse; each failure its own code. */
function jsonBody(): Middleware {
  return {
    before: async ({ event }) => {
      const type = event.headers?.['content-type'];
      if (type === undefined || !JSON_TYPE.test(type)) {
        throw new HttpInputError('UnsupportedMediaType', 'send Content-Type: application/json');
      }
      if (event.body === undefined || event.body === null) {
        throw new HttpInputError('InvalidJson', 'the body is empty', '');
      }
      const text = event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
      try {
        (event as { body: unknown }).body = JSON.parse(text, protoSafeReviver);
      } catch {
        throw new HttpInputError('InvalidJson', 'the body is not valid JSON', '');
      }
    },
  };
}

function problems(logger: Logger, audience: Audience): Middleware {
  return {
    onError: async (request) => {
      const err = request.error;
      const { problem } = problemFor(err, audience);
      if (problem.status >= 500) {
        const cause = (err as { cause?: unknown })?.cause;
        logger.error('request failed', {
          code: problem.code,
          errorName: (err as Error)?.name,
          errorCode: codedOf(err).code,
          cause: cause instanceof Error ? cause.name : undefined,
        });
      } else {
        logger.info('request refused', {
          status: problem.status,
          code: problem.code,
          field: problem.field,
        });
      }
      request.response = problemResponse(err, audience);
    },
  };
}

/** `Cache-Control: no-store`, or public caching for `cacheSeconds` on a success (public documents). */
function cacheControl(cacheSeconds: number | undefined): Middleware {
  const set = async (request: { response: APIGatewayProxyStructuredResultV2 | null }) => {
    if (!request.response) return;
    const ok = (request.response.statusCode ?? 500) < 300;
    const value = cacheSeconds !== undefined && ok ? `public, max-age=${cacheSeconds}` : 'no-store';
    request.response.headers = { ...request.response.headers, 'Cache-Control': value };
  };
  return { after: set, onError: set };
}

function logContext(logger: Logger): Middleware {
  return {
    before: async ({ context, event }) => {
      logger.addContext(context);
      logger.appendKeys({ route: event.routeKey, apiRequestId: event.requestContext?.requestId });
    },
    after: async () => logger.resetKeys(),
    onError: async () => logger.resetKeys(),
  };
}

export interface StackOptions {
  readonly logger: Logger;
  readonly corsOrigins: readonly string[];
  /** Parse a JSON body (POST routes). */
  readonly jsonBody: boolean;
  /** Who is answered: codes `seenBy: 'admin'` are shown on the admin routes only. Default caller. */
  readonly audience?: Audience;
  /** Public documents only: successes may be cached this long. Default: `no-store`. */
  readonly cacheSeconds?: number;
}

export function httpStack(handler: HttpHandler, options: StackOptions): HttpHandler {
  const stack = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpHeaderNormalizer())
    .use(logContext(options.logger));
  if (options.corsOrigins.length > 0) {
    stack.use(
      httpCors({
        origins: [...options.corsOrigins],
        headers: 'Authorization,Content-Type,If-Match,If-None-Match',
        exposeHeaders: 'ETag,Location',
        methods: 'GET,POST,PUT,DELETE,OPTIONS',
        maxAge: 600,
      }),
    );
  }
  stack
    .use(httpSecurityHeaders())
    .use(cacheControl(options.cacheSeconds))
    .use(problems(options.logger, options.audience ?? 'caller'));
  if (options.jsonBody) {
    stack.use(bodySizeCap()).use(jsonBody());
  }
  return stack.handler(handler) as unknown as HttpHandler;
}

/** The bearer token of an Authorization header: untrusted until verified. */
export function bearerToken(event: APIGatewayProxyEventV2): string | undefined {
  const header = event.headers?.['authorization'];
  if (!header) return undefined;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}

export function requestOrigin(event: APIGatewayProxyEventV2) {
  const proto = event.headers?.['x-forwarded-proto'];
  return {
    sourceIp: event.requestContext?.http?.sourceIp ?? '',
    userAgent: event.requestContext?.http?.userAgent ?? event.headers?.['user-agent'] ?? '',
    secureTransport: proto?.toLowerCase() === 'https',
  };
}

export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: JSON.stringify(body),
  };
}
