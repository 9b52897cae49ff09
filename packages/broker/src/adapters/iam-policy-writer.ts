/**
 * The RolePolicyWriter over IAM: PutRolePolicy / DeleteRolePolicy of Tessera's managed policy on a
 * target role. IAM calls act in the account of the credentials used, so a role of another account
 * needs credentials for that account (`credentialsFor`); without them the role is reported
 * `AccountNotReachable`, never skipped silently. Errors are classified by the SDK's exception
 * types and AWS's error names, never by message text.
 */
import {
  DeleteRolePolicyCommand,
  IAMClient,
  type IAMClientConfig,
  LimitExceededException,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { RolePolicyError, type RolePolicyFault } from '../errors.js';
import type { RolePolicyWriter } from '../ports.js';
import { assumedRoleCredentials } from './assumed-role.js';

type Credentials = IAMClientConfig['credentials'];

export interface IamRolePolicyWriterOptions {
  /** The account the default credentials act in; null: unknown, every role is tried with them. */
  readonly accountId: string | null;
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: Credentials;
  /**
   * Credentials for another account's roles; undefined: that account cannot be updated (named so
   * in the answer). Default: the writer role below, when one is named.
   */
  readonly credentialsFor?: (accountId: string) => Credentials | undefined;
  /**
   * The role another account's cross-account template creates for this (`iam:PutRolePolicy` and
   * `iam:DeleteRolePolicy` on its Tessera role, trusting the admin role): assumed per account.
   */
  readonly writerRoleName?: string | null;
  /** STS endpoint override (the local stack) for assuming the writer roles. */
  readonly stsEndpoint?: string;
}

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]{1,64})$/;

/** Names AWS uses for an authorization refusal (IAM's is `AccessDenied`, a 403). */
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

function faultOf(err: unknown): RolePolicyFault {
  if (err instanceof LimitExceededException) return 'PolicyTooLarge';
  if (err instanceof NoSuchEntityException) return 'RoleNotFound';
  if (err instanceof MalformedPolicyDocumentException) return 'Unavailable';
  const name = (err as { name?: unknown })?.name;
  if (typeof name === 'string' && ACCESS_DENIED.has(name)) return 'AccessDenied';
  return 'Unavailable';
}

export class IamRolePolicyWriter implements RolePolicyWriter {
  readonly #options: IamRolePolicyWriterOptions;
  readonly #clients = new Map<string, IAMClient>();

  constructor(options: IamRolePolicyWriterOptions) {
    this.#options = options;
  }

  #otherAccount(account: string, partition: string): Credentials | undefined {
    const { credentialsFor, writerRoleName } = this.#options;
    if (credentialsFor) return credentialsFor(account);
    if (!writerRoleName) return undefined;
    this.#sts ??= new STSClient({
      region: this.#options.region,
      endpoint: this.#options.stsEndpoint,
      credentials: this.#options.credentials,
    });
    const roleArn = `arn:${partition}:iam::${account}:role/${writerRoleName}`;
    return assumedRoleCredentials(this.#sts, roleArn, Date.now, 'tessera-revocations');
  }

  #sts: STSClient | undefined;

  #client(account: string, partition: string): IAMClient | undefined {
    const cached = this.#clients.get(account);
    if (cached) return cached;
    const own = this.#options.accountId === null || account === this.#options.accountId;
    const credentials = own ? this.#options.credentials : this.#otherAccount(account, partition);
    if (!own && credentials === undefined) return undefined;
    const client = new IAMClient({
      region: this.#options.region,
      endpoint: this.#options.endpoint,
      ...(credentials === undefined ? {} : { credentials }),
    });
    this.#clients.set(account, client);
    return client;
  }

  #target(roleArn: string): { client: IAMClient; roleName: string } {
    const match = ROLE_ARN.exec(roleArn);
    if (!match) throw new RolePolicyError('RoleNotFound', `${roleArn} is not a role ARN`);
    const client = this.#client(match[2]!, match[1]!);
    if (!client) {
      throw new RolePolicyError(
        'AccountNotReachable',
        `no credentials to write role policies in account ${match[2]}`,
      );
    }
    return { client, roleName: match[3]! };
  }

  async putRolePolicy(roleArn: string, policyName: string, document: string): Promise<void> {
    const { client, roleName } = this.#target(roleArn);
    try {
      await client.send(
        new PutRolePolicyCommand({
          RoleName: roleName,
          PolicyName: policyName,
          PolicyDocument: document,
        }),
      );
    } catch (err) {
      throw new RolePolicyError(faultOf(err), `PutRolePolicy on ${roleArn} failed`, { cause: err });
    }
  }

  async deleteRolePolicy(roleArn: string, policyName: string): Promise<void> {
    const { client, roleName } = this.#target(roleArn);
    try {
      await client.send(
        new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }),
      );
    } catch (err) {
      // The policy is absent already: what was asked holds.
      if (err instanceof NoSuchEntityException) return;
      throw new RolePolicyError(faultOf(err), `DeleteRolePolicy on ${roleArn} failed`, {
        cause: err,
      });
    }
  }
}
