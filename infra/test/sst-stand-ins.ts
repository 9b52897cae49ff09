/**
 * Recording stand-ins for the SST globals `sst.config.ts` uses (`$config`, `$app`, `sst.aws.*`,
 * `aws.*`, `$jsonStringify`): each constructor records its name, args and options, and applies the
 * args' `transform` callbacks to an empty resource-args object, as SST does before creating the
 * underlying resource. Outputs are plain strings derived from the physical names.
 */

export type Args = Record<string, unknown>;

export interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly args: Args;
  /** The underlying resource's args after the component's `transform` ran. */
  readonly transformed: Args;
  readonly opts: Args | undefined;
}

export interface Recording {
  readonly resources: Recorded[];
  readonly routes: { route: string; handler: unknown }[];
  of(type: string): Recorded[];
  one(type: string, name: string): Recorded;
}

type Transform = (args: Args, opts: Args, name: string) => void;

function applyTransform(transform: unknown, name: string): Args {
  const args: Args = {};
  if (typeof transform === 'function') (transform as Transform)(args, {}, name);
  else if (transform !== undefined) Object.assign(args, transform);
  return args;
}

function transformOf(args: Args, key: string): unknown {
  return (args.transform as Record<string, unknown> | undefined)?.[key];
}

export function installStandIns(stage: {
  name: string;
  region: string;
  account: string;
}): Recording {
  const resources: Recorded[] = [];
  const routes: Recording['routes'] = [];
  const record = (
    type: string,
    name: string,
    args: Args,
    transformKey: string | null,
    opts?: Args,
  ) => {
    const transformed =
      transformKey === null ? {} : applyTransform(transformOf(args, transformKey), name);
    const entry = { type, name, args, transformed, opts };
    resources.push(entry);
    return entry;
  };

  class Dynamo {
    readonly name: string;
    readonly arn: string;
    constructor(name: string, args: Args, opts?: Args) {
      const table = record('sst.aws.Dynamo', name, args, 'table', opts).transformed;
      this.name = String(table.name);
      this.arn = `arn:aws:dynamodb:${stage.region}:${stage.account}:table/${this.name}`;
    }
  }

  class CognitoUserPool {
    readonly id: string;
    constructor(name: string, args: Args, opts?: Args) {
      record('sst.aws.CognitoUserPool', name, args, 'userPool', opts);
      this.id = `${stage.region}_StandIn`;
    }
    static get(name: string, id: string) {
      const pool = Object.create(CognitoUserPool.prototype) as { id: string };
      record('sst.aws.CognitoUserPool.get', name, { id }, null);
      pool.id = id;
      return pool;
    }
    addClient(name: string, args: Args) {
      record('sst.aws.CognitoUserPoolClient', name, args, 'client');
      return { id: `client-${name}` };
    }
    addIdentityProvider(name: string, args: Args) {
      record('sst.aws.CognitoIdentityProvider', name, args, 'identityProvider');
      return { providerName: name };
    }
  }

  class ApiGatewayV2 {
    readonly url = 'https://api.stand-in.example';
    constructor(name: string, args: Args, opts?: Args) {
      record('sst.aws.ApiGatewayV2', name, args, 'stage', opts);
    }
    route(route: string, handler: unknown) {
      routes.push({ route, handler });
    }
  }

  class StaticSite {
    readonly url = 'https://portal.stand-in.example';
    readonly nodes = { assets: { name: 'portal-assets-stand-in' } };
    constructor(name: string, args: Args, opts?: Args) {
      record('sst.aws.StaticSite', name, args, null, opts);
    }
  }

  class LambdaFunction {
    readonly arn: string;
    constructor(name: string, args: Args, opts?: Args) {
      record('sst.aws.Function', name, args, 'function', opts);
      this.arn = `arn:aws:lambda:${stage.region}:${stage.account}:function:${String(args.name)}`;
    }
  }

  class Secret {
    readonly value: string;
    constructor(name: string) {
      this.value = `secret:${name}`;
    }
  }

  const plain = (type: string) =>
    class {
      readonly arn: string;
      constructor(name: string, args: Args, opts?: Args) {
        record(type, name, args, null, opts);
        const path = typeof args.path === 'string' ? args.path : '/';
        this.arn = `arn:aws:iam::${stage.account}:role${path}${String(args.name)}`;
      }
    };

  /** An S3 bucket: its `id` is its name, as Pulumi's. */
  class BucketV2 {
    readonly id: string;
    readonly arn: string;
    constructor(name: string, args: Args, opts?: Args) {
      record('aws.s3.BucketV2', name, args, null, opts);
      this.id = String(args.bucket);
      this.arn = `arn:aws:s3:::${this.id}`;
    }
  }

  Object.assign(globalThis, {
    $config: (config: unknown) => config,
    $app: { name: 'tessera', stage: stage.name },
    $jsonStringify: (value: unknown) => JSON.stringify(value),
    $util: { output: (value: unknown) => ({ apply: (f: (v: unknown) => unknown) => f(value) }) },
    $interpolate: (parts: TemplateStringsArray, ...values: unknown[]) =>
      parts.reduce((out, part, i) => out + part + (i < values.length ? String(values[i]) : ''), ''),
    $resolve: <T>(values: T) => ({ apply: <R>(f: (v: T) => R) => f(values) }),
    sst: {
      aws: { Dynamo, CognitoUserPool, ApiGatewayV2, Function: LambdaFunction, StaticSite },
      Secret,
    },
    aws: {
      iam: {
        Role: plain('aws.iam.Role'),
        OpenIdConnectProvider: plain('aws.iam.OpenIdConnectProvider'),
      },
      kms: { Key: plain('aws.kms.Key'), Alias: plain('aws.kms.Alias') },
      s3: {
        BucketObjectv2: plain('aws.s3.BucketObjectv2'),
        BucketV2,
        BucketPolicy: plain('aws.s3.BucketPolicy'),
        BucketPublicAccessBlock: plain('aws.s3.BucketPublicAccessBlock'),
      },
      cloudtrail: { Trail: plain('aws.cloudtrail.Trail') },
      cognito: {
        UserGroup: plain('aws.cognito.UserGroup'),
        UserPoolDomain: plain('aws.cognito.UserPoolDomain'),
      },
    },
  });

  return {
    resources,
    routes,
    of: (type) => resources.filter((r) => r.type === type),
    one: (type, name) => {
      const found = resources.find((r) => r.type === type && r.name === name);
      if (found === undefined) throw new Error(`no ${type} named ${name} was declared`);
      return found;
    },
  };
}
