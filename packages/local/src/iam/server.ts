/**
 * The local IAM endpoint: Query protocol (`Version=2010-05-08`), SigV4 verified, answering for the
 * roles of the caller's account (NoSuchEntity otherwise) the reads a binding write makes: GetRole,
 * ListRolePolicies + GetRolePolicy (inline policies), ListAttachedRolePolicies + GetPolicy +
 * GetPolicyVersion (managed policies, from the config's `managedPolicies`); and the inline policy
 * writes of the kill switch: PutRolePolicy / DeleteRolePolicy (the document parsed by
 * @tessera/policy, MalformedPolicyDocument otherwise; the role's inline policies at most 10,240
 * non-whitespace characters together, LimitExceeded otherwise, as IAM's quota). The caller's
 * identity policies must allow each action on the role (or policy) ARN. Policy documents are
 * URL-encoded, as IAM answers them. Every call is recorded in the local CloudTrail.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Policy, PolicyError, parsePolicy } from '@tessera/policy';
import * as z from 'zod/mini';
import { type LocalServer, listen } from '../http.js';
import {
  IAM_NS,
  QueryError,
  queryInputProblems,
  sendQueryError,
  validationMessage,
  type XmlNode,
} from '../query.js';
import {
  type QueryAnswer,
  type QueryServerDeps,
  readSignedQuery,
  recordedAnswer,
  sourceIpOf,
} from '../sts/server.js';
import type { Caller } from '../sts/sessions.js';
import type { PolicyDocument } from '../types.js';
import { authorize, principalContext } from './authorize.js';
import { type DirectoryRole, inlineChars } from './directory.js';

const VERSION = '2010-05-08';
const ACTIONS = [
  'GetRole',
  'ListRolePolicies',
  'GetRolePolicy',
  'ListAttachedRolePolicies',
  'GetPolicy',
  'GetPolicyVersion',
  'PutRolePolicy',
  'DeleteRolePolicy',
] as const;

/** IAM: "Role policy size cannot exceed 10,240 characters" (all inline policies of a role). */
const ROLE_INLINE_CHARS = 10_240;
type Action = (typeof ACTIONS)[number];

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const encoded = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));

function required(params: Record<string, string>, name: string, member: string): string {
  const v = params[name];
  if (!v) {
    throw new QueryError(
      'ValidationError',
      400,
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}

interface Request {
  readonly params: Record<string, string>;
  readonly caller: Caller;
  readonly allow: (action: string, resource: string) => void;
}

/** A RoleName parameter, with IAM's constraints (API reference: RoleName). */
const roleNameInputSchema = z.object({
  roleName: z
    .string()
    .check(
      z.minLength(1, 'Member must have length greater than or equal to 1'),
      z.maxLength(64, 'Member must have length less than or equal to 64'),
      z.regex(/^[\w+=,.@-]+$/, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+'),
    ),
});

function roleFor(deps: QueryServerDeps, req: Request, action: Action): DirectoryRole {
  const name = required(req.params, 'RoleName', 'roleName');
  const problems = queryInputProblems(roleNameInputSchema, { roleName: name });
  if (problems.length > 0)
    throw new QueryError('ValidationError', 400, validationMessage(problems));
  const role = deps.directory.roleByName(req.caller.account, name);
  req.allow(`iam:${action}`, role?.arn ?? `arn:aws:iam::${req.caller.account}:role/${name}`);
  if (!role)
    throw new QueryError('NoSuchEntity', 404, `The role with name ${name} cannot be found.`);
  return role;
}

/** A PolicyName parameter, with IAM's constraints (API reference: PolicyName). */
const policyNameInputSchema = z.object({
  policyName: z
    .string()
    .check(
      z.minLength(1, 'Member must have length greater than or equal to 1'),
      z.maxLength(128, 'Member must have length less than or equal to 128'),
      z.regex(/^[\w+=,.@-]+$/, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+'),
    ),
});

function policyName(params: Record<string, string>): string {
  const name = required(params, 'PolicyName', 'policyName');
  const problems = queryInputProblems(policyNameInputSchema, { policyName: name });
  if (problems.length > 0)
    throw new QueryError('ValidationError', 400, validationMessage(problems));
  return name;
}

function noSuchRolePolicy(name: string): QueryError {
  return new QueryError('NoSuchEntity', 404, `The role policy with name ${name} cannot be found.`);
}

/** A policy document as IAM takes it: JSON, then the policy grammar (@tessera/policy). */
function policyDocument(text: string): { document: PolicyDocument; policy: Policy } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new QueryError('MalformedPolicyDocument', 400, 'Syntax errors in policy.');
  }
  try {
    return { document: document as PolicyDocument, policy: parsePolicy(document as object) };
  } catch (err) {
    if (err instanceof PolicyError) {
      throw new QueryError('MalformedPolicyDocument', 400, `${err.code}: ${err.message}`);
    }
    throw err;
  }
}

function managed(deps: QueryServerDeps, req: Request, action: Action) {
  const arn = required(req.params, 'PolicyArn', 'policyArn');
  req.allow(`iam:${action}`, arn);
  const policy = deps.directory.managedPolicy(arn);
  if (!policy || policy.account !== req.caller.account) {
    throw new QueryError('NoSuchEntity', 404, `Policy ${arn} does not exist or is not attachable.`);
  }
  return policy;
}

function answer(deps: QueryServerDeps, req: Request, action: Action): XmlNode {
  switch (action) {
    case 'GetRole': {
      const role = roleFor(deps, req, action);
      return {
        Role: {
          Path: role.config.path,
          AssumeRolePolicyDocument: encoded(role.config.trustPolicy),
          MaxSessionDuration: role.config.maxSessionDuration,
          RoleId: role.roleId,
          RoleName: role.name,
          Description: role.config.description || undefined,
          Arn: role.arn,
          CreateDate: isoSeconds(role.createDate),
        },
      };
    }
    case 'ListRolePolicies':
      return {
        PolicyNames: [...roleFor(deps, req, action).inlinePolicies.keys()].sort(),
        IsTruncated: false,
      };
    case 'GetRolePolicy': {
      const role = roleFor(deps, req, action);
      const name = policyName(req.params);
      const doc = role.inlinePolicies.get(name)?.document;
      if (!doc) throw noSuchRolePolicy(name);
      return { RoleName: role.name, PolicyName: name, PolicyDocument: encoded(doc) };
    }
    case 'PutRolePolicy': {
      const role = roleFor(deps, req, action);
      const name = policyName(req.params);
      const document = required(req.params, 'PolicyDocument', 'policyDocument');
      const parsed = policyDocument(document);
      const others = [...role.inlinePolicies.entries()]
        .filter(([n]) => n !== name)
        .reduce((sum, [, p]) => sum + inlineChars(p.document), 0);
      if (others + inlineChars(parsed.document) > ROLE_INLINE_CHARS) {
        throw new QueryError(
          'LimitExceeded',
          409,
          `Maximum policy size of ${ROLE_INLINE_CHARS} bytes exceeded for role ${role.name}`,
        );
      }
      deps.directory.setRolePolicy(role, name, parsed);
      return {};
    }
    case 'DeleteRolePolicy': {
      const role = roleFor(deps, req, action);
      const name = policyName(req.params);
      if (!role.inlinePolicies.has(name)) throw noSuchRolePolicy(name);
      deps.directory.setRolePolicy(role, name, null);
      return {};
    }
    case 'ListAttachedRolePolicies':
      return {
        AttachedPolicies: deps.directory
          .attachedPolicies(roleFor(deps, req, action))
          .map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })),
        IsTruncated: false,
      };
    case 'GetPolicy': {
      const p = managed(deps, req, action);
      return {
        Policy: {
          PolicyName: p.name,
          PolicyId: p.policyId,
          Arn: p.arn,
          Path: '/',
          DefaultVersionId: 'v1',
          AttachmentCount: p.attachments,
          IsAttachable: true,
          CreateDate: isoSeconds(p.createDate),
          UpdateDate: isoSeconds(p.createDate),
        },
      };
    }
    case 'GetPolicyVersion': {
      const p = managed(deps, req, action);
      const version = required(req.params, 'VersionId', 'versionId');
      if (version !== 'v1') {
        throw new QueryError(
          'NoSuchEntity',
          404,
          `Policy ${p.arn} version ${version} does not exist.`,
        );
      }
      return {
        PolicyVersion: {
          Document: encoded(p.document),
          VersionId: 'v1',
          IsDefaultVersion: true,
          CreateDate: isoSeconds(p.createDate),
        },
      };
    }
  }
}

/** One authenticated IAM call: the action checked, the caller authorized, the answer built. */
function iamCall(
  params: Record<string, string>,
  caller: Caller,
  req: IncomingMessage,
  deps: QueryServerDeps,
): QueryAnswer {
  const action = params.Action;
  if (!action) throw new QueryError('MissingAction', 400, 'Missing Action');
  if (params.Version !== VERSION || !(ACTIONS as readonly string[]).includes(action)) {
    throw new QueryError(
      'InvalidAction',
      400,
      `Could not find operation ${action} for version ${params.Version ?? 'NO_VERSION_SPECIFIED'} (the local IAM answers ${ACTIONS.join(', ')})`,
    );
  }
  const context = principalContext(caller, {
    sourceIp: sourceIpOf(req),
    userAgent: String(req.headers['user-agent'] ?? ''),
    region: deps.region,
    now: deps.now(),
  });
  const allow = (iamAction: string, resource: string) => {
    if (authorize(caller, { action: iamAction, resource, context }).decision !== 'Allow') {
      throw new QueryError(
        'AccessDenied',
        403,
        `User: ${caller.arn} is not authorized to perform: ${iamAction} on resource: ${resource} because no identity-based policy allows the ${iamAction} action`,
      );
    }
  };
  return { result: answer(deps, { params, caller, allow }, action as Action) };
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
        iamCall(params, caller, req, deps),
      );
    } catch (err) {
      if (err instanceof QueryError) return sendQueryError(res, IAM_NS, err, requestId);
      throw err;
    }
  };
  return listen(handler, { ...options, name: 'iam' });
}
