/**
 * The principals that can sign requests to the local STS and IAM: IAM users with long-term AKIA
 * keys, and role sessions with ASIA keys this STS issued (session token, expiry, session policy,
 * tags, source identity). Sessions live in memory: a restart invalidates them, as if they expired.
 * At most MAX_SESSIONS are held (the oldest issued is forgotten first).
 */
import { randomBytes } from 'node:crypto';
import type { Policy } from '@tessera/policy';
import type { DirectoryRole, DirectoryUser } from '../iam/directory.js';
import { newAccessKeyId, secretAccessKeyFrom } from '../state.js';

export interface RoleSession {
  readonly kind: 'session';
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** When the session was issued (the registry's clock): `aws:TokenIssueTime`, CloudTrail's creationDate. */
  readonly issuedAt: Date;
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
  /** Issued to a caller that was itself a role session (role chaining: at most 1 h, no console SessionDuration). */
  readonly roleChained?: boolean;
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

/** Sessions expired longer than this are forgotten (until then they answer ExpiredToken). */
const KEEP_EXPIRED_MS = 24 * 3600 * 1000;
/**
 * The most sessions held at once. Time alone does not bound them (a load run issues thousands a
 * minute, each kept its duration plus a day); past this, issuing forgets the oldest issued session
 * (its keys then answer as unknown, InvalidClientTokenId). A session is at most a few KiB (its
 * inputs are within STS's limits, checked before issuing), so this bounds the registry to tens of
 * MiB.
 */
export const MAX_SESSIONS = 20_000;
/** The forgetting scans every session: at most once per this interval, not on every issue. */
const PRUNE_EVERY_MS = 60 * 1000;
/** Random bytes per session, drawn in one call: secret key material, then the session token's. */
const SECRET_BYTES = 30;
const TOKEN_BYTES = 270;

export class SessionRegistry {
  private readonly sessions = new Map<string, RoleSession>();
  private readonly longTerm = new Map<string, UserPrincipal>();
  /** When prune() last ran (the injected clock's ms); -Infinity: never. */
  private lastPruned = Number.NEGATIVE_INFINITY;

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
      | 'issuedAt'
      | 'arn'
      | 'assumedRoleId'
      | 'account'
    >,
  ): RoleSession {
    this.pruneIfDue();
    const random = randomBytes(SECRET_BYTES + TOKEN_BYTES);
    const session: RoleSession = {
      kind: 'session',
      accessKeyId: newAccessKeyId('ASIA'),
      secretAccessKey: secretAccessKeyFrom(random.subarray(0, SECRET_BYTES)),
      sessionToken: `IQoJb3JpZ2luX2VjE${random.subarray(SECRET_BYTES).toString('base64')}`,
      issuedAt: new Date(this.now()),
      arn: `arn:aws:sts::${input.role.account}:assumed-role/${input.role.name}/${input.sessionName}`,
      assumedRoleId: `${input.role.roleId}:${input.sessionName}`,
      account: input.role.account,
      ...input,
    };
    // A Map iterates in insertion order: its first key is the oldest issued session.
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next();
      if (!oldest.done) this.sessions.delete(oldest.value);
    }
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

  /**
   * Forgets sessions expired more than a day ago (kept a while so they answer ExpiredToken). The
   * scan visits every session, so it runs at most once a minute of the injected clock: a session
   * is forgotten within a minute of its day being up, and issuing stays O(1).
   */
  private pruneIfDue(): void {
    const now = this.now();
    // A clock moved back (tests do) makes it due at once rather than postponing it.
    if (now >= this.lastPruned && now - this.lastPruned < PRUNE_EVERY_MS) return;
    this.lastPruned = now;
    const cutoff = now - KEEP_EXPIRED_MS;
    for (const [k, s] of this.sessions)
      if (s.expiration.getTime() < cutoff) this.sessions.delete(k);
  }
}
