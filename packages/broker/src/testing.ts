/**
 * @tessera/broker/testing: in-memory port implementations — the simple defaults used by tests, the
 * benchmarks and the local stack's offline mode. Never part of the core entry.
 */
import type { AuditEvent } from './audit.js';
import {
  BindingError,
  RevocationError,
  RolePolicyError,
  StoreError,
  TokenError,
  type VendError,
} from './errors.js';
import type {
  AuditSink,
  BindingStore,
  CredentialVendor,
  GrantHistory,
  PoolSnapshot,
  RevocationStore,
  RoleInspector,
  RolePolicyWriter,
  SubjectStore,
  TokenVerifier,
} from './ports.js';
import type { Revocation } from './schema/revocation.js';
import {
  decodeSubjectCursor,
  encodeSubjectCursor,
  type SubjectPage,
  type SubjectRecord,
} from './subjects.js';
import type {
  AssumeRoleParams,
  Binding,
  RoleFacts,
  VendedCredentials,
  VerifiedToken,
} from './types.js';

export class MemoryBindingStore implements BindingStore, RevocationStore {
  readonly #items = new Map<string, Binding>();
  readonly #revocations = new Map<string, Revocation>();

  constructor(bindings: readonly Binding[] = []) {
    for (const b of bindings) this.#items.set(MemoryBindingStore.#key(b.issuer, b.id), b);
  }

  static #key(issuer: string, id: string): string {
    return `${issuer}\n${id}`;
  }

  async listByIssuer(issuer: string): Promise<readonly Binding[]> {
    return [...this.#items.values()]
      .filter((b) => b.issuer === issuer)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async loadPool(issuer: string): Promise<PoolSnapshot> {
    const revocations = [...this.#revocations.values()].filter((r) => r.issuer === issuer);
    return { bindings: await this.listByIssuer(issuer), revocations };
  }

  async addRevocation(revocation: Revocation): Promise<void> {
    const key = MemoryBindingStore.#key(revocation.issuer, revocation.id);
    if (this.#revocations.has(key)) {
      throw new RevocationError('RevocationNotFound', `revocation ${revocation.id} exists`);
    }
    this.#revocations.set(key, revocation);
  }

  async liftRevocation(issuer: string, id: string, liftedAt: string, liftedBy: string) {
    const key = MemoryBindingStore.#key(issuer, id);
    const current = this.#revocations.get(key);
    if (!current || current.liftedAt !== undefined) {
      throw new RevocationError('RevocationNotFound', `no active revocation ${id}`);
    }
    this.#revocations.set(key, { ...current, liftedAt, liftedBy });
  }

  async forgetRevocation(issuer: string, id: string): Promise<void> {
    this.#revocations.delete(MemoryBindingStore.#key(issuer, id));
  }

  refresh(): void {}

  async get(issuer: string, id: string): Promise<Binding | undefined> {
    return this.#items.get(MemoryBindingStore.#key(issuer, id));
  }

  async put(binding: Binding): Promise<void> {
    const key = MemoryBindingStore.#key(binding.issuer, binding.id);
    const current = this.#items.get(key);
    if (binding.version === 1 && current) {
      throw new BindingError('BindingExists', `binding ${binding.id} already exists`);
    }
    if (binding.version !== 1 && current?.version !== binding.version - 1) {
      throw new BindingError(
        'BindingVersionConflict',
        `binding ${binding.id} was changed since version ${binding.version - 1}`,
      );
    }
    this.#items.set(key, binding);
  }

  async delete(issuer: string, id: string, version: number): Promise<void> {
    const key = MemoryBindingStore.#key(issuer, id);
    const current = this.#items.get(key);
    if (!current) throw new BindingError('BindingNotFound', `binding ${id} does not exist`);
    if (current.version !== version) {
      throw new BindingError(
        'BindingVersionConflict',
        `binding ${id} is at version ${current.version}`,
      );
    }
    this.#items.delete(key);
  }
}

export class MemoryAuditSink implements AuditSink, GrantHistory {
  readonly events: AuditEvent[] = [];
  /** Set to make the next writes fail (fail-closed tests). */
  failing = false;

  async write(event: AuditEvent): Promise<void> {
    if (this.failing) {
      throw new StoreError('AuditUnavailable', 'audit sink unavailable');
    }
    this.events.push(event);
  }

  async lastGrants(
    subject: string,
    bindingIds: readonly string[],
    since: string,
  ): Promise<ReadonlyMap<string, string>> {
    const wanted = new Set(bindingIds);
    const found = new Map<string, string>();
    for (const e of this.events) {
      const credential = e.action === 'vend' || e.action === 'console';
      if (!credential || e.result !== 'grant' || e.subject !== subject || e.at < since) continue;
      if (e.bindingId === undefined || !wanted.has(e.bindingId)) continue;
      if ((found.get(e.bindingId) ?? '') < e.at) found.set(e.bindingId, e.at);
    }
    return found;
  }
}

/** Subjects in memory, by issuer then `sub`; expired records are not answered. */
export class MemorySubjectStore implements SubjectStore {
  readonly #items = new Map<string, SubjectRecord>();
  /** Set to make the next writes fail. */
  failing = false;

  constructor(private readonly now: () => Date = () => new Date()) {}

  get records(): readonly SubjectRecord[] {
    return [...this.#items.values()];
  }

  async record(subject: SubjectRecord): Promise<void> {
    if (this.failing) throw new StoreError('StoreUnavailable', 'subject store unavailable');
    this.#items.set(`${subject.issuer}\n${subject.sub}`, subject);
  }

  async page(issuer: string, options: { limit: number; cursor?: string }): Promise<SubjectPage> {
    const after = options.cursor === undefined ? '' : decodeSubjectCursor(options.cursor, issuer);
    if (after === undefined) throw new TypeError('the cursor is not a cursor of this issuer');
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    const all = [...this.#items.values()]
      .filter((r) => r.issuer === issuer && r.sub > after && r.expiresAt > nowSeconds)
      .sort((a, b) => (a.sub < b.sub ? -1 : 1));
    const subjects = all.slice(0, options.limit);
    const last = subjects[subjects.length - 1];
    return {
      subjects,
      ...(all.length > options.limit && last
        ? { cursor: encodeSubjectCursor(issuer, last.sub) }
        : {}),
    };
  }

  isCursorOf(cursor: string, issuer: string): boolean {
    return decodeSubjectCursor(cursor, issuer) !== undefined;
  }
}

/**
 * A vendor that mints fake credentials and records every call. `fail` makes calls throw the given
 * VendError instead.
 */
export class MemoryCredentialVendor implements CredentialVendor {
  readonly calls: AssumeRoleParams[] = [];
  fail: VendError | undefined;
  #counter = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async assumeRole(params: AssumeRoleParams): Promise<VendedCredentials> {
    this.calls.push(params);
    if (this.fail) throw this.fail;
    this.#counter += 1;
    const n = String(this.#counter).padStart(12, '0');
    const account = /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(params.RoleArn)?.[1] ?? '000000000000';
    const roleName = params.RoleArn.slice(params.RoleArn.lastIndexOf('/') + 1);
    return {
      credentials: {
        accessKeyId: `ASIAMEMORY${n.slice(-10)}`,
        secretAccessKey: `memory-secret-${n}`,
        sessionToken: `memory-session-token-${n}`,
        expiration: new Date(this.now().getTime() + params.DurationSeconds * 1000).toISOString(),
      },
      assumedRoleArn: `arn:aws:sts::${account}:assumed-role/${roleName}/${params.RoleSessionName}`,
      requestId: `memory-request-${n}`,
    };
  }
}

/**
 * A verifier over a fixed table of raw token -> verified token. Unknown tokens are
 * `TokenInvalid`. For tests and the local stack's offline mode; the local stack's normal mode
 * uses the real Cognito verifier pointed at its own JWKS.
 */
export class MemoryTokenVerifier implements TokenVerifier {
  readonly #tokens = new Map<string, VerifiedToken>();

  constructor(tokens: Readonly<Record<string, VerifiedToken>> = {}) {
    for (const [raw, token] of Object.entries(tokens)) this.#tokens.set(raw, token);
  }

  add(raw: string, token: VerifiedToken): void {
    this.#tokens.set(raw, token);
  }

  async verify(rawToken: string): Promise<VerifiedToken> {
    const token = this.#tokens.get(rawToken);
    if (!token) throw new TokenError('TokenInvalid', 'token is not valid');
    return token;
  }
}

/** Roles by ARN: a MaxSessionDuration alone, or everything IAM would say. */
export class MemoryRoleInspector implements RoleInspector {
  constructor(private readonly roles: Readonly<Record<string, number | RoleFacts>> = {}) {}
  async maxSessionDuration(roleArn: string): Promise<number> {
    return (await this.inspect(roleArn)).maxSessionDuration;
  }
  async inspect(roleArn: string): Promise<RoleFacts> {
    const role = this.roles[roleArn];
    if (role === undefined)
      throw new BindingError('BindingInvalid', `role ${roleArn} does not exist`);
    return typeof role === 'number'
      ? { maxSessionDuration: role, description: '', permissionPolicies: null }
      : role;
  }
}

/** Role inline policies in memory, as IAM keeps them; `faults` makes a role's writes fail. */
export class MemoryRolePolicyWriter implements RolePolicyWriter {
  readonly policies = new Map<string, Map<string, string>>();
  readonly faults = new Map<string, RolePolicyError['fault']>();

  async putRolePolicy(roleArn: string, policyName: string, document: string): Promise<void> {
    this.#fail(roleArn);
    const role = this.policies.get(roleArn) ?? new Map<string, string>();
    role.set(policyName, document);
    this.policies.set(roleArn, role);
  }

  async deleteRolePolicy(roleArn: string, policyName: string): Promise<void> {
    this.#fail(roleArn);
    this.policies.get(roleArn)?.delete(policyName);
  }

  #fail(roleArn: string): void {
    const fault = this.faults.get(roleArn);
    if (fault !== undefined) throw new RolePolicyError(fault, `${fault} on ${roleArn}`);
  }
}
