/**
 * The local stack's data: the config file as typed data (after validation), the persisted state,
 * and the description of a running stack (`.tessera/local.json`).
 */

export type PolicyDocument = Readonly<Record<string, unknown>>;

export interface LocalUser {
  readonly username: string;
  readonly groups: readonly string[];
  /** Cognito attributes, e.g. `email`, `custom:team`. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface LocalClient {
  /** The short name used in this file and in local.json (`app`, `cli`, `portal`). */
  readonly name: string;
  readonly clientId: string;
  /** OAuth2 redirect URIs the hosted UI accepts for this client. */
  readonly callbackUrls: readonly string[];
  readonly scopes: readonly string[];
}

export interface LocalAccount {
  readonly id: string;
  readonly name: string;
}

export interface LocalRole {
  readonly name: string;
  readonly account: string;
  readonly path: string;
  readonly description: string;
  readonly maxSessionDuration: number;
  readonly trustPolicy: PolicyDocument;
  /** Inline identity policies by name. */
  readonly policies: Readonly<Record<string, PolicyDocument>>;
}

/** An IAM user with a long-term (AKIA) access key, generated on first start. */
export interface LocalIamUser {
  readonly name: string;
  readonly account: string;
  readonly policies: Readonly<Record<string, PolicyDocument>>;
}

export interface LocalConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly clients: readonly LocalClient[];
  readonly users: readonly LocalUser[];
  readonly adminGroup: string;
  /** Which Cognito token the API accepts (TESSERA_POOLS tokenUse): `id`, `access`, or null for either. */
  readonly tokenUse: 'id' | 'access' | null;
  readonly accounts: readonly LocalAccount[];
  readonly roles: readonly LocalRole[];
  readonly iamUsers: readonly LocalIamUser[];
  /** The broker's own identity: a role session of this role, as in Lambda. */
  readonly broker: { readonly role: string; readonly account: string };
  /** Seed bindings, written through the broker's binding parsing on first start. */
  readonly bindings: readonly Readonly<Record<string, unknown>>[];
  /** Lifetimes of issued tokens, seconds. */
  readonly tokens: { readonly idTokenSeconds: number; readonly accessTokenSeconds: number };
}

export interface StackUserInfo {
  readonly username: string;
  readonly password: string;
  readonly groups: readonly string[];
}

/** `.tessera/local.json`: outside tools read it; keep the documented fields stable. */
export interface StackInfo {
  readonly api: string;
  readonly issuer: {
    readonly url: string;
    readonly userPoolId: string;
    readonly jwks: string;
    readonly clients: Readonly<Record<string, string>>;
  };
  readonly cognitoIdp: string;
  readonly oauth2: string;
  readonly sts: string;
  readonly iam: string;
  /** The local CloudTrail (LookupEvents over every STS, IAM and S3 call served). */
  readonly cloudtrail: string;
  readonly dynamodb: string;
  readonly region: string;
  readonly users: readonly StackUserInfo[];
  readonly bindings: readonly string[];
  readonly iamUsers: readonly {
    readonly name: string;
    readonly arn: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
  }[];
  readonly pid: number;
  readonly home: string;
}
