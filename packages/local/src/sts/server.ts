/**
 * The local STS endpoint: the Query protocol (form POST, `Action` + `Version=2011-06-15`), SigV4
 * verified, answering AssumeRole and GetCallerIdentity in STS's XML, so the unchanged
 * `@aws-sdk/client-sts` works against it through an endpoint override.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, type LocalServer, listen, parseForm, readBody } from '../http.js';
import type { Directory } from '../iam/directory.js';
import { members, QueryError, STS_NS, sendQueryError, sendQueryResult } from '../query.js';
import { verifySigV4 } from '../sigv4.js';
import { assumeRole } from './assume-role.js';
import type { Caller, SessionRegistry } from './sessions.js';

const VERSION = '2011-06-15';
const MAX_BODY = 256 * 1024;

export interface QueryServerDeps {
  readonly directory: Directory;
  readonly registry: SessionRegistry;
  readonly region: string;
  readonly now: () => number;
}

/** Reads the Query request and verifies its signature; shared by STS and IAM. */
export async function readSignedQuery(
  req: IncomingMessage,
  service: string,
  deps: QueryServerDeps,
): Promise<{ params: Record<string, string>; caller: Caller }> {
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
  const verified = await verifySigV4(
    { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
    { service, registry: deps.registry, now: deps.now },
  );
  if (!verified.ok) throw new QueryError(verified.code, verified.status, verified.message);
  return { params, caller: verified.caller };
}

export function sourceIpOf(req: IncomingMessage): string {
  return req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
}

export async function startSts(
  deps: QueryServerDeps,
  options: { port: number; fallbackToRandom: boolean },
): Promise<LocalServer> {
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    try {
      if (req.method !== 'POST' && req.method !== 'GET') {
        throw new QueryError('InvalidAction', 400, `${req.method} is not supported; use POST`);
      }
      const { params, caller } = await readSignedQuery(req, 'sts', deps);
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
          return sendQueryResult(
            res,
            STS_NS,
            action,
            {
              Arn: caller.arn,
              UserId: caller.kind === 'session' ? caller.assumedRoleId : caller.user.userId,
              Account: caller.account,
            },
            requestId,
          );
        case 'AssumeRole': {
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
          return sendQueryResult(
            res,
            STS_NS,
            action,
            {
              ...(session.sourceIdentity !== undefined
                ? { SourceIdentity: session.sourceIdentity }
                : {}),
              AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.arn },
              Credentials: {
                AccessKeyId: session.accessKeyId,
                SecretAccessKey: session.secretAccessKey,
                SessionToken: session.sessionToken,
                Expiration: session.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
              },
              PackedPolicySize: packedPolicySize,
            },
            requestId,
          );
        }
        default:
          throw new QueryError(
            'InvalidAction',
            400,
            `Could not find operation ${action} for version ${VERSION}`,
          );
      }
    } catch (err) {
      if (err instanceof QueryError) return sendQueryError(res, STS_NS, err, requestId);
      throw err;
    }
  };
  return listen(handler, { ...options, name: 'sts' });
}
