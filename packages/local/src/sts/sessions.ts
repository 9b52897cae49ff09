/**
 * The principals that can sign requests to the local STS and IAM: IAM users with long-term AKIA
 * keys, and role sessions with ASIA keys this STS issued (session token, expiry, session policy,
 * tags, source identity). Sessions live in memory: a restart invalidates them, as if they expired.
 */
import { randomBytes } from 'node:crypto';
import type { Policy } from '@tessera/policy';
import type { DirectoryRole, DirectoryUser } from '../iam/directory.js';
import { newAccessKeyId, newSecretAccessKey } from '../state.js';

export interface RoleSession {
  readonly kind: 'session';
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly role: DirectoryRole;
  readonly sessionName: string;
  /** `arn:aws:sts::<acct>:assumed-role/<role>/<session>` */
  readonly arn: string;
  /** `AROA…:<session>` */
  readonly assumedRoleId: string;
  readonly account: string;
  readonly sessionPolicy: Policy | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly transitiveTagKeys: readonly string[];
  readonly sourceIdentity: string | undefined;
}

export interface UserPrincipal {
  readonly kind: 'user';
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly user: DirectoryUser;
  readonly arn: string;
  readonly account: string;
}

export type Caller = RoleSession | UserPrincipal;

export type CredentialLookup =
  | { readonly found: true; readonly caller: Caller }
  | { readonly found: false; readonly reason: 'unknown' | 'token-mismatch' | 'expired' };

export class SessionRegistry {
  private readonly sessions = new Map<string, RoleSession>();
  private readonly longTerm = new Map<string, UserPrincipal>();

  constructor(private readonly now: () => number = Date.now) {}

  addUser(user: DirectoryUser, key: { accessKeyId: string; secretAccessKey: string }): void {
    this.longTerm.set(key.accessKeyId, {
      kind: 'user',
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      user,
      arn: user.arn,
      account: user.account,
    });
  }

  issue(
    input: Omit<
      RoleSession,
      | 'kind'
      | 'accessKeyId'
      | 'secretAccessKey'
      | 'sessionToken'
      | 'arn'
      | 'assumedRoleId'
      | 'account'
    >,
  ): RoleSession {
    this.prune();
    const session: RoleSession = {
      kind: 'session',
      accessKeyId: newAccessKeyId('ASIA'),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(270).toString('base64')}`,
      arn: `arn:aws:sts::${input.role.account}:assumed-role/${input.role.name}/${input.sessionName}`,
      assumedRoleId: `${input.role.roleId}:${input.sessionName}`,
      account: input.role.account,
      ...input,
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }

  /** Finds the principal for an access key; a session key also needs its exact session token. */
  lookup(accessKeyId: string, unverifiedSessionToken: string | undefined): CredentialLookup {
    const user = this.longTerm.get(accessKeyId);
    if (user) {
      return unverifiedSessionToken === undefined
        ? { found: true, caller: user }
        : { found: false, reason: 'token-mismatch' };
    }
    const session = this.sessions.get(accessKeyId);
    if (!session) return { found: false, reason: 'unknown' };
    if (unverifiedSessionToken !== session.sessionToken)
      return { found: false, reason: 'token-mismatch' };
    if (session.expiration.getTime() <= this.now()) return { found: false, reason: 'expired' };
    return { found: true, caller: session };
  }

  /** Forgets sessions expired more than a day ago (kept a while so they answer ExpiredToken). */
  private prune(): void {
    const cutoff = this.now() - 24 * 3600 * 1000;
    for (const [k, s] of this.sessions)
      if (s.expiration.getTime() < cutoff) this.sessions.delete(k);
  }
}
