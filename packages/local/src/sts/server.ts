/**
 * The local STS endpoint: the Query protocol (form POST, `Action` + `Version=2011-06-15`), SigV4
 * verified, answering AssumeRole and GetCallerIdentity in STS's XML, so the unchanged
 * `@aws-sdk/client-sts` works against it through an endpoint override.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type QueryService, queryCall } from '../cloudtrail/query-calls.js';
import type { LocalTrail } from '../cloudtrail/trail.js';
import {
  BodyTooLargeError,
  bytes,
  type LocalServer,
  listen,
  parseForm,
  readBody,
} from '../http.js';
import type { Directory } from '../iam/directory.js';
import {
  IAM_NS,
  members,
  QueryError,
  STS_NS,
  sendQueryError,
  sendQueryResult,
  type XmlNode,
} from '../query.js';
import { verifySigV4 } from '../sigv4/index.js';
import { assumeRole } from './assume-role.js';
import type { OidcProviders } from './oidc-providers.js';
import type { Caller, SessionRegistry } from './sessions.js';
import { answerWebIdentity } from './web-identity-answer.js';

const VERSION = '2011-06-15';
const MAX_BODY = 256 * 1024;

export interface QueryServerDeps {
  readonly directory: Directory;
  readonly registry: SessionRegistry;
  readonly region: string;
  readonly now: () => number;
  /** Where every authenticated call is recorded, CloudTrail-shaped (none: not recorded). */
  readonly trail?: LocalTrail;
}

/** An action's XML result, and what CloudTrail keeps of its response (nothing: null). */
export interface QueryAnswer {
  readonly result: XmlNode;
  readonly response?: Record<string, unknown>;
}

/**
 * Answers an authenticated Query call and records it: the record is stored before the answer
 * leaves, whether the call was allowed or refused.
 */
export function recordedAnswer(
  service: QueryService,
  req: IncomingMessage,
  res: ServerResponse,
  call: { params: Record<string, string>; caller: Caller; requestId: string },
  deps: QueryServerDeps,
  answer: () => QueryAnswer,
): void {
  const base = {
    action: call.params.Action ?? '',
    params: call.params,
    caller: call.caller,
    requestId: call.requestId,
    time: new Date(deps.now()),
    region: deps.region,
    sourceIp: sourceIpOf(req),
  };
  const query = new URL(req.url ?? '/', 'http://local').search.slice(1);
  const ns = service === 'sts' ? STS_NS : IAM_NS;
  let answered: ReturnType<typeof answer>;
  try {
    answered = answer();
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    deps.trail?.record(
      queryCall(service, { ...base, error: { code: err.code, message: err.message } }, req, query),
    );
    throw err;
  }
  deps.trail?.record(queryCall(service, { ...base, response: answered.response }, req, query));
  sendQueryResult(res, ns, base.action, answered.result, call.requestId);
}

/** Reads a Query request: the query string's and the form body's parameters, and the raw body. */
export async function readQuery(
  req: IncomingMessage,
): Promise<{ params: Record<string, string>; body: Buffer }> {
  let body: Buffer;
  try {
    body = await readBody(req, MAX_BODY);
  } catch (err) {
    if (err instanceof BodyTooLargeError)
      throw new QueryError('ValidationError', 413, 'Request body is too large.');
    throw err;
  }
  const url = new URL(req.url ?? '/', 'http://local');
  const params = parseForm(url.search.slice(1));
  const contentType = req.headers['content-type'] ?? '';
  if (req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')) {
    Object.assign(params, parseForm(body.toString('utf8')));
  }
  return { params, body };
}

/** Verifies the signature of a request read by readQuery. */
async function verifyQuery(
  req: IncomingMessage,
  body: Buffer,
  service: 'sts' | 'iam',
  deps: QueryServerDeps,
): Promise<Caller> {
  const verified = await verifySigV4(
    {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headersDistinct,
      body: bytes(body),
    },
    {
      service,
      registry: deps.registry,
      now: deps.now,
      // STS is regional: the scope names the stack's region. IAM is global (any scope region).
      ...(service === 'sts' ? { region: deps.region } : {}),
    },
  );
  if (!verified.ok) throw new QueryError(verified.code, verified.status, verified.message);
  return verified.caller;
}

/** Reads the Query request and verifies its signature; shared by STS and IAM. */
export async function readSignedQuery(
  req: IncomingMessage,
  service: 'sts' | 'iam',
  deps: QueryServerDeps,
): Promise<{ params: Record<string, string>; caller: Caller }> {
  const { params, body } = await readQuery(req);
  return { params, caller: await verifyQuery(req, body, service, deps) };
}

export function sourceIpOf(req: IncomingMessage): string {
  return req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
}

/** One STS action of an authenticated caller: its XML result and what CloudTrail keeps of it. */
function stsAction(
  params: Record<string, string>,
  caller: Caller,
  req: IncomingMessage,
  deps: QueryServerDeps,
): QueryAnswer {
  const action = params.Action;
  if (!action) throw new QueryError('MissingAction', 400, 'Missing Action');
  if (params.Version !== VERSION) {
    throw new QueryError(
      'InvalidAction',
      400,
      `Could not find operation ${action} for version ${params.Version ?? 'NO_VERSION_SPECIFIED'}`,
    );
  }
  switch (action) {
    case 'GetCallerIdentity':
      return {
        result: {
          Arn: caller.arn,
          UserId: caller.kind === 'session' ? caller.assumedRoleId : caller.user.userId,
          Account: caller.account,
        },
      };
    case 'AssumeRole':
      return assumeRoleAction(params, caller, req, deps);
    default:
      throw new QueryError(
        'InvalidAction',
        400,
        `Could not find operation ${action} for version ${VERSION}`,
      );
  }
}

function assumeRoleAction(
  params: Record<string, string>,
  caller: Caller,
  req: IncomingMessage,
  deps: QueryServerDeps,
): QueryAnswer {
  const { session, packedPolicySize } = assumeRole(
    caller,
    {
      roleArn: params.RoleArn,
      roleSessionName: params.RoleSessionName,
      durationSeconds: params.DurationSeconds,
      externalId: params.ExternalId,
      policy: params.Policy,
      policyArns: members(params, 'PolicyArns').map((m) => m.arn ?? ''),
      tags: members(params, 'Tags'),
      transitiveTagKeys: members(params, 'TransitiveTagKeys').map((m) => m[''] ?? ''),
      sourceIdentity: params.SourceIdentity,
    },
    {
      sourceIp: sourceIpOf(req),
      userAgent: String(req.headers['user-agent'] ?? ''),
      region: deps.region,
      now: deps.now(),
    },
    deps,
  );
  const expiration = session.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    result: {
      ...(session.sourceIdentity !== undefined ? { SourceIdentity: session.sourceIdentity } : {}),
      AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.arn },
      Credentials: {
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: session.secretAccessKey,
        SessionToken: session.sessionToken,
        Expiration: expiration,
      },
      PackedPolicySize: packedPolicySize,
    },
    response: {
      credentials: { accessKeyId: session.accessKeyId, expiration },
      assumedRoleUser: { assumedRoleId: session.assumedRoleId, arn: session.arn },
      packedPolicySize,
      ...(session.sourceIdentity !== undefined ? { sourceIdentity: session.sourceIdentity } : {}),
    },
  };
}

export async function startSts(
  deps: QueryServerDeps & { readonly providers: OidcProviders },
  options: { port: number; fallbackToRandom: boolean },
): Promise<LocalServer> {
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    try {
      if (req.method !== 'POST' && req.method !== 'GET') {
        throw new QueryError('InvalidAction', 400, `${req.method} is not supported; use POST`);
      }
      const { params, body } = await readQuery(req);
      // Unsigned, as in AWS: the web identity token is the credential.
      if (params.Action === 'AssumeRoleWithWebIdentity' && params.Version === VERSION) {
        return await answerWebIdentity(req, res, params, deps, requestId);
      }
      const caller = await verifyQuery(req, body, 'sts', deps);
      recordedAnswer('sts', req, res, { params, caller, requestId }, deps, () =>
        stsAction(params, caller, req, deps),
      );
    } catch (err) {
      if (err instanceof QueryError) return sendQueryError(res, STS_NS, err, requestId);
      throw err;
    }
  };
  return listen(handler, { ...options, name: 'sts' });
}
