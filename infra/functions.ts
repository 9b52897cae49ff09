/**
 * The Lambda functions the app deploys, as data, and the routes to them. Pure: `infra/api.ts`
 * declares them with SST, `npm run bundle` builds the same handlers, and `infra/permissions.ts`
 * derives each role's log-group grants from them.
 */
import { type Route as HandlerRoute, routes } from '../packages/functions/src/routes.js';
import { ConfigError } from './config.js';

/**
 * The execution roles. Only `broker` may assume target roles; only `admin` may read them with IAM;
 * only `admin` and `auditor` may read the audit log.
 */
export const ROLE_KINDS = ['broker', 'reader', 'admin', 'auditor', 'basic'] as const;
export type RoleKind = (typeof ROLE_KINDS)[number];

export interface LambdaFunction {
  /** Handler source, relative to the repository root; it exports `handler`. */
  readonly source: string;
  readonly role: RoleKind;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

const HANDLERS = 'packages/functions/src/handlers';

export const FUNCTIONS = {
  /** The vend path: verify token, decide, AssumeRole, audit. */
  credentials: {
    source: `${HANDLERS}/credentials.ts`,
    role: 'broker',
    memoryMb: 1024,
    timeoutSeconds: 10,
  },
  /** Lists the bindings whose trust policy allows the caller; never calls STS. */
  roles: { source: `${HANDLERS}/roles.ts`, role: 'reader', memoryMb: 1024, timeoutSeconds: 10 },
  health: { source: `${HANDLERS}/health.ts`, role: 'basic', memoryMb: 256, timeoutSeconds: 3 },
  /** A dry run of a vend: reads bindings, never calls STS. */
  simulate: {
    source: `${HANDLERS}/simulate.ts`,
    role: 'reader',
    memoryMb: 1024,
    timeoutSeconds: 10,
  },
  /** A vend (audited as a console grant), then the AWS federation endpoint's getSigninToken. */
  console: {
    source: `${HANDLERS}/console.ts`,
    role: 'broker',
    memoryMb: 1024,
    timeoutSeconds: 15,
  },
  /**
   * Audit queries (admin: by subject, binding, role, result, time; everyone: their own grants) and
   * trails (CloudTrail LookupEvents, 2 calls a second an account: up to API Gateway's 30 s).
   */
  audit: { source: `${HANDLERS}/audit.ts`, role: 'auditor', memoryMb: 1024, timeoutSeconds: 29 },
  /** Binding writes: validates, reads the role's MaxSessionDuration with iam:GetRole. */
  'admin-bindings': {
    source: `${HANDLERS}/admin-bindings.ts`,
    role: 'admin',
    memoryMb: 1024,
    timeoutSeconds: 15,
  },
} as const satisfies Record<string, LambdaFunction>;

export type FunctionName = keyof typeof FUNCTIONS;

export interface Route {
  readonly method: HandlerRoute['method'];
  readonly path: string;
  readonly function: FunctionName;
}

/**
 * The HTTP routes, from the functions package's route table (the one the local stack serves too).
 * A route whose function has no deployment declaration above is a configuration error.
 */
export function deployedRoutes(table: readonly HandlerRoute[] = routes): Route[] {
  return table.map((route) => {
    if (!isFunctionName(route.function)) {
      throw new ConfigError([
        {
          code: 'UndeclaredFunction',
          pointer: `/routes/${route.method} ${route.path.replaceAll('~', '~0').replaceAll('/', '~1')}`,
          message: `function "${route.function}" is not declared in infra/functions.ts`,
        },
      ]);
    }
    return { method: route.method, path: route.path, function: route.function };
  });
}

export function isFunctionName(name: string): name is FunctionName {
  return Object.hasOwn(FUNCTIONS, name);
}

export function functionNames(): FunctionName[] {
  return Object.keys(FUNCTIONS) as FunctionName[];
}

/** SST's handler notation: the source path without its extension, then `.handler`. */
export function sstHandler(fn: FunctionName): string {
  return `${FUNCTIONS[fn].source.replace(/\.ts$/, '')}.handler`;
}
