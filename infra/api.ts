/**
 * The HTTP API: one function per handler (nodejs22.x, arm64, bundled and minified with the AWS SDK
 * inside, source maps), the routes of the functions package's route table, CORS for the portal's
 * origins only, default-route throttling and JSON access logs.
 */
import { existsSync } from 'node:fs';
import { LAMBDA_RUNTIME, NODEJS_BUNDLING } from './build.js';
import type { Stage } from './config.js';
import {
  deployedRoutes,
  FUNCTIONS,
  type FunctionName,
  functionNames,
  type RoleKind,
  sstHandler,
} from './functions.js';
import { functionName } from './naming.js';
import { webIdentityOf } from './web-identity.js';

export interface ApiInputs {
  readonly roleArns: Record<RoleKind, $util.Input<string>>;
  /** The configured portal origins and the portal site's own URL. */
  readonly corsOrigins: readonly $util.Input<string>[];
  readonly environment: Record<string, $util.Input<string>>;
}

export function createApi(stage: Stage, inputs: ApiInputs): sst.aws.ApiGatewayV2 {
  const webIdentity = webIdentityOf(stage);
  const api = new sst.aws.ApiGatewayV2('Api', {
    // Tessera's issuer URL: a custom domain (point its DNS at the API's domain target yourself).
    ...(webIdentity === null
      ? {}
      : { domain: { name: webIdentity.domain, cert: webIdentity.certificateArn, dns: false } }),
    cors: {
      allowOrigins: [...inputs.corsOrigins],
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowHeaders: ['authorization', 'content-type', 'if-match'],
      exposeHeaders: ['etag', 'retry-after', 'x-next-cursor'],
      allowCredentials: false,
      maxAge: '1 hour',
    },
    accessLog: { retention: stage.production ? '1 year' : '1 week' },
    transform: {
      stage: (args: aws.apigatewayv2.StageArgs) => {
        args.defaultRouteSettings = {
          throttlingRateLimit: stage.throttle.rate,
          throttlingBurstLimit: stage.throttle.burst,
          detailedMetricsEnabled: true,
        };
      },
    },
  });
  const arns = createFunctions(stage, inputs);
  for (const route of deployedRoutes()) {
    const arn = arns.get(route.function);
    if (arn === undefined) {
      console.warn(
        `tessera: route ${route.method} ${route.path} not deployed: ${route.function} is not`,
      );
      continue;
    }
    api.route(`${route.method} ${route.path}`, arn);
  }
  return api;
}

/**
 * The functions whose handler source exists. A declared function whose handler is not written yet
 * (its role and permissions are deployed regardless) is skipped with its routes, and says so.
 */
export function deployableFunctions(
  exists: (path: string) => boolean = existsSync,
): FunctionName[] {
  return functionNames().filter((fn) => {
    const present = exists(FUNCTIONS[fn].source);
    if (!present)
      console.warn(`tessera: ${fn} not deployed: ${FUNCTIONS[fn].source} does not exist yet`);
    return present;
  });
}

/** One function per handler, shared by its routes. */
function createFunctions(stage: Stage, inputs: ApiInputs): Map<FunctionName, $util.Output<string>> {
  return new Map(deployableFunctions().map((fn) => [fn, createFunction(stage, fn, inputs).arn]));
}

function createFunction(stage: Stage, fn: FunctionName, inputs: ApiInputs): sst.aws.Function {
  const spec = FUNCTIONS[fn];
  return new sst.aws.Function(`${fn.split('-').map(capitalize).join('')}Function`, {
    name: functionName(stage, fn),
    handler: sstHandler(fn),
    ...LAMBDA_RUNTIME,
    memory: `${spec.memoryMb} MB`,
    timeout: `${spec.timeoutSeconds} seconds`,
    role: inputs.roleArns[spec.role],
    environment: inputs.environment,
    logging: { retention: stage.production ? '1 year' : '1 week', format: 'json' },
    nodejs: { ...NODEJS_BUNDLING, install: [...NODEJS_BUNDLING.install] },
  });
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
