/**
 * The local IAM endpoint: Query protocol (`Version=2010-05-08`), SigV4 verified, answering
 * GetRole for the roles of the caller's account (NoSuchEntity otherwise); the caller's identity
 * policies must allow iam:GetRole on the role.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod/mini';
import { type LocalServer, listen } from '../http.js';
import {
  IAM_NS,
  QueryError,
  queryInputProblems,
  sendQueryError,
  validationMessage,
} from '../query.js';
import {
  type QueryAnswer,
  type QueryServerDeps,
  readSignedQuery,
  recordedAnswer,
  sourceIpOf,
} from '../sts/server.js';
import type { Caller } from '../sts/sessions.js';
import { authorize, principalContext } from './authorize.js';

const VERSION = '2010-05-08';

/** GetRole's parameters, with IAM's constraints (API reference: RoleName). */
const getRoleInputSchema = z.object({
  roleName: z
    .string()
    .check(
      z.minLength(1, 'Member must have length greater than or equal to 1'),
      z.maxLength(64, 'Member must have length less than or equal to 64'),
      z.regex(/^[\w+=,.@-]+$/, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+'),
    ),
});

/** GetRole for an authenticated caller (the only IAM action the local IAM answers). */
function getRole(
  params: Record<string, string>,
  caller: Caller,
  req: IncomingMessage,
  deps: QueryServerDeps,
): QueryAnswer {
  const action = params.Action;
  if (!action) throw new QueryError('MissingAction', 400, 'Missing Action');
  if (params.Version !== VERSION || action !== 'GetRole') {
    throw new QueryError(
      'InvalidAction',
      400,
      `Could not find operation ${action} for version ${params.Version ?? 'NO_VERSION_SPECIFIED'} (the local IAM answers GetRole)`,
    );
  }
  const problems = queryInputProblems(getRoleInputSchema, { roleName: params.RoleName });
  if (problems.length > 0)
    throw new QueryError('ValidationError', 400, validationMessage(problems));
  const name = params.RoleName as string;
  const resource = `arn:aws:iam::${caller.account}:role/${name}`;
  const role = deps.directory.roleByName(caller.account, name);
  const context = principalContext(caller, {
    sourceIp: sourceIpOf(req),
    userAgent: String(req.headers['user-agent'] ?? ''),
    region: deps.region,
    now: deps.now(),
  });
  if (
    authorize(caller, { action: 'iam:GetRole', resource: role?.arn ?? resource, context })
      .decision !== 'Allow'
  ) {
    throw new QueryError(
      'AccessDenied',
      403,
      `User: ${caller.arn} is not authorized to perform: iam:GetRole on resource: role ${name} because no identity-based policy allows the iam:GetRole action`,
    );
  }
  if (!role)
    throw new QueryError('NoSuchEntity', 404, `The role with name ${name} cannot be found.`);
  return {
    result: {
      Role: {
        Path: role.config.path,
        AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(role.config.trustPolicy)),
        MaxSessionDuration: role.config.maxSessionDuration,
        RoleId: role.roleId,
        RoleName: role.name,
        Description: role.config.description || undefined,
        Arn: role.arn,
        CreateDate: role.createDate.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    },
  };
}

export async function startIam(
  deps: QueryServerDeps,
  options: { port: number; fallbackToRandom: boolean },
): Promise<LocalServer> {
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    try {
      const { params, caller } = await readSignedQuery(req, 'iam', deps);
      recordedAnswer('iam', req, res, { params, caller, requestId }, deps, () =>
        getRole(params, caller, req, deps),
      );
    } catch (err) {
      if (err instanceof QueryError) return sendQueryError(res, IAM_NS, err, requestId);
      throw err;
    }
  };
  return listen(handler, { ...options, name: 'iam' });
}
