/**
 * The local stack's data: the config file as typed data (after validation), the persisted state,
 * and the description of a running stack (`.tessera/local.json`).
 */

import type { LocalConfig } from './config-schema.js';

/** The config file as typed data: derived from its schema (config-schema.ts). */
export type { LocalConfig };
export type PolicyDocument = Readonly<Record<string, unknown>>;
export type LocalUser = LocalConfig['users'][number];
export type LocalClient = LocalConfig['clients'][number];
export type LocalAccount = LocalConfig['accounts'][number];
export type LocalRole = LocalConfig['roles'][number];
export type LocalIamUser = LocalConfig['iamUsers'][number];
/** A bucket of the local S3, owned by one of the local accounts. */
export type LocalBucket = LocalConfig['buckets'][number];
/** A bucket CORS rule, in S3's PutBucketCors shape. */
export type LocalCorsRule = LocalBucket['cors'][number];
export type LocalCustomAttribute = LocalConfig['customAttributes'][number];

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
    /** Each client's registered OAuth2 redirect URIs (the CLI's loopback login picks one). */
    readonly callbackUrls: Readonly<Record<string, readonly string[]>>;
    /** Which Cognito token the API accepts (`id`, `access`, or null for either). */
    readonly tokenUse: 'id' | 'access' | null;
  };
  readonly cognitoIdp: string;
  readonly oauth2: string;
  readonly sts: string;
  readonly iam: string;
  /** The local CloudTrail (LookupEvents over every STS, IAM and S3 call served). */
  readonly cloudtrail: string;
  /** The AWS federation endpoint stand-in (console sign-in links). */
  readonly federation: string;
  readonly dynamodb: string;
  /** The local S3 endpoint (path-style addressing: `<s3>/<bucket>/<key>`). */
  readonly s3: string;
  readonly buckets: readonly string[];
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
