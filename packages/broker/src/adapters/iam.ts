/**
 * The IAM role inspector: GetRole -> MaxSessionDuration and description; ListRolePolicies +
 * GetRolePolicy and ListAttachedRolePolicies + GetPolicy + GetPolicyVersion -> the permission
 * policies snapshotted onto the binding. Read when a binding is written or seeded (a vend never
 * calls IAM). Kept on its own subpath (`@tessera/broker/aws-iam`) so the
 * vend bundle never contains `@aws-sdk/client-iam`.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  type GetRoleCommandOutput,
  GetRolePolicyCommand,
  IAMClient,
  type IAMClientConfig,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { BindingError, StoreError } from '../errors.js';
import { permissionSnapshot } from '../permission-snapshot.js';
import type { RoleInspector } from '../ports.js';
import type { JsonObject, PermissionSnapshot, RoleFacts, RolePermissionPolicy } from '../types.js';

export interface IamRoleInspectorOptions {
  /**
   * The account the IAM client's credentials belong to. GetRole sees only that account's roles;
   * a role of another account is answered without IAM (see CROSS_ACCOUNT_MAX_SESSION_SECONDS).
   * `null`: unknown — then only a role whose returned ARN proves it is in another account is
   * treated so, and a role IAM does not know is refused.
   */
  readonly accountId: string | null;
  readonly client?: IAMClient;
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: IAMClientConfig['credentials'];
}

/**
 * IAM cannot read another account's role, and 3,600 s is the least MaxSessionDuration a role can
 * have: a bound that never overstates what STS will grant.
 */
export const CROSS_ACCOUNT_MAX_SESSION_SECONDS = 3600;

function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

function roleNotFound(roleArn: string, hint = ''): BindingError {
  return new BindingError('BindingInvalid', `role ${roleArn} does not exist`, [
    { field: '/roleArn', code: 'RoleNotFound', message: `IAM has no role ${roleArn}${hint}` },
  ]);
}

export class IamRoleInspector implements RoleInspector {
  readonly #client: IAMClient;
  readonly #accountId: string | null;

  constructor(options: IamRoleInspectorOptions) {
    this.#accountId = options.accountId;
    this.#client =
      options.client ??
      new IAMClient({
        region: options.region,
        endpoint: options.endpoint,
        credentials: options.credentials,
      });
  }

  async maxSessionDuration(roleArn: string): Promise<number> {
    return (await this.#role(roleArn)).maxSessionDuration;
  }

  async inspect(roleArn: string): Promise<RoleFacts> {
    const role = await this.#role(roleArn);
    if (!role.readable) {
      return {
        maxSessionDuration: role.maxSessionDuration,
        description: '',
        permissionPolicies: null,
      };
    }
    return {
      maxSessionDuration: role.maxSessionDuration,
      description: role.description,
      permissionPolicies: await this.#permissions(roleArn.slice(roleArn.lastIndexOf('/') + 1)),
    };
  }

  /** GetRole; `readable: false` for a role IAM cannot show this account (another account's). */
  async #role(
    roleArn: string,
  ): Promise<{ maxSessionDuration: number; description: string; readable: boolean }> {
    const account = accountOf(roleArn);
    const other = {
      maxSessionDuration: CROSS_ACCOUNT_MAX_SESSION_SECONDS,
      description: '',
      readable: false,
    };
    if (this.#accountId !== null && account !== this.#accountId) return other;
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    let out: GetRoleCommandOutput;
    try {
      out = await this.#client.send(new GetRoleCommand({ RoleName: roleName }));
    } catch (err) {
      if (isNoSuchEntity(err)) {
        const hint =
          this.#accountId === null
            ? ' (a role of another account needs the broker account id configured)'
            : '';
        throw roleNotFound(roleArn, hint);
      }
      throw new StoreError('StoreUnavailable', 'IAM GetRole failed', { cause: err });
    }
    const returnedArn = out.Role?.Arn;
    // GetRole looks a name up in the caller's account: a same-named role there (or one on another
    // path) is not the role the binding names, and what IAM says of it says nothing about it.
    if (returnedArn === roleArn) {
      return {
        maxSessionDuration: out.Role?.MaxSessionDuration ?? CROSS_ACCOUNT_MAX_SESSION_SECONDS,
        description: out.Role?.Description ?? '',
        readable: true,
      };
    }
    if (returnedArn !== undefined && accountOf(returnedArn) !== account) return other;
    throw roleNotFound(roleArn);
  }

  async #permissions(roleName: string): Promise<PermissionSnapshot> {
    const policies: RolePermissionPolicy[] = [];
    try {
      let marker: string | undefined;
      do {
        const page = await this.#client.send(
          new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }),
        );
        for (const name of page.PolicyNames ?? []) {
          const got = await this.#client.send(
            new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }),
          );
          policies.push({ kind: 'inline', name, document: policyDocument(got.PolicyDocument) });
        }
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      do {
        const page = await this.#client.send(
          new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }),
        );
        for (const attached of page.AttachedPolicies ?? []) {
          const arn = attached.PolicyArn ?? '';
          const policy = await this.#client.send(new GetPolicyCommand({ PolicyArn: arn }));
          const versionId = policy.Policy?.DefaultVersionId ?? 'v1';
          const version = await this.#client.send(
            new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }),
          );
          policies.push({
            kind: 'managed',
            name: attached.PolicyName ?? arn,
            arn,
            versionId,
            document: policyDocument(version.PolicyVersion?.Document),
          });
        }
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
    } catch (err) {
      throw new StoreError('StoreUnavailable', 'IAM could not list the role policies', {
        cause: err,
      });
    }
    return permissionSnapshot(policies);
  }
}

function isNoSuchEntity(err: unknown): boolean {
  return err instanceof NoSuchEntityException || (err as { name?: string }).name === 'NoSuchEntity';
}

/** IAM answers policy documents URL-encoded (RFC 3986). */
function policyDocument(encoded: string | undefined): JsonObject {
  const parsed: unknown = JSON.parse(decodeURIComponent(encoded ?? '{}'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('IAM returned a policy document that is not a JSON object');
  }
  return parsed as JsonObject;
}
