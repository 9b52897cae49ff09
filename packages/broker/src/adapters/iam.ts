/**
 * The IAM role inspector: GetRole -> MaxSessionDuration, read when a binding is written or
 * seeded (a vend never calls IAM). Kept on its own subpath (`@tessera/broker/aws-iam`) so the
 * vend bundle never contains `@aws-sdk/client-iam`.
 */
import {
  GetRoleCommand,
  IAMClient,
  type IAMClientConfig,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { BindingError, StoreError } from '../errors.js';
import type { RoleInspector } from '../ports.js';

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
    const account = accountOf(roleArn);
    if (this.#accountId !== null && account !== this.#accountId) {
      return CROSS_ACCOUNT_MAX_SESSION_SECONDS;
    }
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    let returnedArn: string | undefined;
    let maxSession: number | undefined;
    try {
      const out = await this.#client.send(new GetRoleCommand({ RoleName: roleName }));
      returnedArn = out.Role?.Arn;
      maxSession = out.Role?.MaxSessionDuration;
    } catch (err) {
      if (
        err instanceof NoSuchEntityException ||
        (err as { name?: string }).name === 'NoSuchEntity'
      ) {
        const hint =
          this.#accountId === null
            ? ' (a role of another account needs the broker account id configured)'
            : '';
        throw roleNotFound(roleArn, hint);
      }
      throw new StoreError('StoreUnavailable', 'IAM GetRole failed', { cause: err });
    }
    // GetRole looks a name up in the caller's account: a same-named role there (or one on another
    // path) is not the role the binding names, and its MaxSessionDuration says nothing about it.
    if (returnedArn === roleArn) return maxSession ?? CROSS_ACCOUNT_MAX_SESSION_SECONDS;
    if (returnedArn !== undefined && accountOf(returnedArn) !== account) {
      return CROSS_ACCOUNT_MAX_SESSION_SECONDS;
    }
    throw roleNotFound(roleArn);
  }
}
