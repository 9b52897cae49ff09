/**
 * The middy stack every handler shares: header normalizer, CORS (when origins are configured),
 * security headers, one problem+json error handler, `Cache-Control: no-store` on every answer
 * (answers carry secrets), request-scoped logging, headers that must come once, and for bodies a
 * size cap before a proto-safe JSON parse.
 *
 * No answer without its record: on an audited route, every refusal the broker did not decide (the
 * checks here, a handler's body or header checks, an administrator's token) is recorded by the
 * broker's own exit (`Recorder.refuse`) before it is answered, from bounded values only — the
 * code, the pointer, the body's SHA-256 and length, never the body. When that event cannot be
 * stored the answer is 503 (`AuditUnavailable`) instead.
 */

import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import middy, { type MiddlewareObj } from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { Audience, AuditAction, BodyDigest, Recorder, VerifiedToken } from '@tessera/broker';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { HttpInputError, isRecorded, OutcomeError } from './errors.js';
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

function bodySizeCap(maxBytes: number): Middleware {
  return {
    before: async ({ event }) => {
      if (event.body === undefined || event.body === null) return;
      const bytes = event.isBase64Encoded
        ? Math.floor((event.body.length * 3) / 4)
        : Buffer.byteLength(event.body, 'utf8');
      if (bytes > maxBytes) {
        throw new HttpInputError(
          'PayloadTooLarge',
          `the body must be at most ${maxBytes} bytes`,
          '',
        );
      }
    },
  };
}

const JSON_TYPE = /^application\/(.+\+)?json($|;.+)/;

/**
 * Headers a request may carry once. API Gateway (and the local stack) joins a repeated header's
 * values with commas; neither a bearer token nor a media type holds one, so a comma here is a
 * repeated (or conflicting) header, refused rather than guessed at.
 */
const SINGLE_HEADERS: Readonly<Record<string, string>> = {
  authorization: 'Authorization',
  'content-type': 'Content-Type',
};

function singleHeaders(): Middleware {
  return {
    before: async ({ event }) => {
      for (const [name, shown] of Object.entries(SINGLE_HEADERS)) {
        if (event.headers?.[name]?.includes(',')) {
          throw new HttpInputError('InvalidRequest', `send one ${shown} header`, shown, {
            location: 'header',
          });
        }
      }
    },
  };
}

/** The JSON body: the content type checked, then a proto-safe parse; each failure its own code. */
function jsonBody(): Middleware {
  return {
    before: async ({ event }) => {
      const type = event.headers?.['content-type'];
      if (type === undefined || !JSON_TYPE.test(type)) {
        throw new HttpInputError(
          'UnsupportedMediaType',
          'send Content-Type: application/json',
          'Content-Type',
          { location: 'header' },
        );
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

/** Where a route's refusals are recorded: the exit, and the action they are recorded as. */
export interface RefusalAudit {
  readonly recorder: Recorder;
  readonly action: AuditAction;
  /** The binding a request addresses, when valid (the admin routes' `{id}`). */
  readonly bindingIdOf?: (event: APIGatewayProxyEventV2) => string | undefined;
}

/** The body as it arrived (before the JSON parse replaces it), by event. */
const rawBodies = new WeakMap<object, { body: string; base64: boolean }>();

/** The verified caller of a request, by event (set once a handler has verified the token). */
const callers = new WeakMap<object, VerifiedToken>();

/** Names a request's verified caller: a refusal after verification records who it was. */
export function verifiedCaller(event: APIGatewayProxyEventV2, token: VerifiedToken): void {
  callers.set(event, token);
}

function bodyDigest(event: APIGatewayProxyEventV2): BodyDigest | undefined {
  const raw = rawBodies.get(event);
  if (raw === undefined) return undefined;
  const encoding = raw.base64 ? 'base64' : 'utf8';
  return {
    sha256: createHash('sha256').update(raw.body, encoding).digest('hex'),
    bytes: Buffer.byteLength(raw.body, encoding),
  };
}

/** Plain words for the event: the code, where, and each issue's code and pointer; no values. */
function refusalDetail(err: unknown): string {
  const coded = codedOf(err);
  const where = coded.field === undefined ? '' : ` at ${coded.location} ${coded.field || '/'}`;
  const issues = (coded.issues ?? [])
    .slice(0, 10)
    .map((i) => `${i.code} ${i.field || '/'}`)
    .join(', ');
  return `${coded.code}${where}${issues === '' ? '' : ` (${issues})`}`;
}

/**
 * The error to answer: the refusal itself once its event is stored (or when it is already
 * recorded: a broker outcome, an admin write's trail), else the Failure `AuditUnavailable`.
 */
async function recorded(
  refusals: RefusalAudit | null,
  event: APIGatewayProxyEventV2,
  err: unknown,
): Promise<unknown> {
  if (refusals === null || isRecorded(err)) return err;
  const coded = codedOf(err);
  const outcome = await refusals.recorder.refuse({
    action: refusals.action,
    code: coded.code,
    field: coded.field,
    detail: refusalDetail(err),
    rawToken: bearerToken(event),
    origin: requestOrigin(event),
    body: bodyDigest(event),
    caller: callers.get(event),
    bindingId: refusals.bindingIdOf?.(event),
    cause: err,
  });
  return outcome.kind === 'failure' && outcome.code === 'AuditUnavailable'
    ? new OutcomeError(outcome)
    : err;
}

function problems(logger: Logger, audience: Audience, refusals: RefusalAudit | null): Middleware {
  return {
    before: async ({ event }) => {
      if (typeof event.body === 'string') {
        rawBodies.set(event, { body: event.body, base64: event.isBase64Encoded === true });
      }
    },
    onError: async (request) => {
      const err = await recorded(refusals, request.event, request.error);
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
  /**
   * Where refusals the broker did not decide are recorded; `null` (explicit) only for routes that
   * decide nothing (health, public documents) or cannot write the log (see each caller).
   */
  readonly refusals: RefusalAudit | null;
  /** Largest body accepted, bytes; default MAX_BODY_BYTES (what-if takes several bindings). */
  readonly maxBodyBytes?: number;
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
        exposeHeaders: 'ETag,Location,Retry-After,X-Next-Cursor',
        methods: 'GET,POST,PUT,DELETE,OPTIONS',
        maxAge: 600,
      }),
    );
  }
  stack
    .use(httpSecurityHeaders())
    .use(cacheControl(options.cacheSeconds))
    .use(problems(options.logger, options.audience ?? 'caller', options.refusals))
    .use(singleHeaders());
  if (options.jsonBody) {
    stack.use(bodySizeCap(options.maxBodyBytes ?? MAX_BODY_BYTES)).use(jsonBody());
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
    requestId: event.requestContext?.requestId,
  };
}

export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: JSON.stringify(body),
  };
}
