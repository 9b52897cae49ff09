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
  readonly client?: IAMClient;
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: IAMClientConfig['credentials'];
}

export class IamRoleInspector implements RoleInspector {
  readonly #client: IAMClient;

  constructor(options: IamRoleInspectorOptions = {}) {
    this.#client =
      options.client ??
      new IAMClient({
        region: options.region,
        endpoint: options.endpoint,
        credentials: options.credentials,
      });
  }

  async maxSessionDuration(roleArn: string): Promise<number> {
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    try {
      const out = await this.#client.send(new GetRoleCommand({ RoleName: roleName }));
      return out.Role?.MaxSessionDuration ?? 3600;
    } catch (err) {
      if (
        err instanceof NoSuchEntityException ||
        (err as { name?: string }).name === 'NoSuchEntity'
      ) {
        throw new BindingError('BindingInvalid', `role ${roleName} does not exist`, [
          { field: 'roleArn', code: 'RoleNotFound', message: `IAM has no role ${roleName}` },
        ]);
      }
      throw new StoreError('StoreUnavailable', 'IAM GetRole failed', { cause: err });
    }
  }
}
