/**
 * @tessera/local: the local stack behind `npm start`. Tests start it with
 * `startStack({ home: tmpdir, ports: 0 })` and read `stack.info` (the same facts as local.json).
 */
export { type ApiRoute, type LambdaHandler, MAX_BODY_BYTES, startApi, toEvent } from './api.js';
export { banner } from './banner.js';
export { DEFAULT_CONFIG_PATH, loadLocalConfig, parseLocalConfig, resolveHome } from './config.js';
export {
  type LocalConfigProblem,
  type LocalConfigProblemCode,
  localConfigSchema,
} from './config-schema.js';
export { LocalConfigError, type LocalErrorCode, LocalStackError } from './errors.js';
export { KeyRing } from './issuer/keys.js';
export { UserPool } from './issuer/pool.js';
export { LOCAL_OIDC_AUDIENCE, LOCAL_OIDC_ISSUER } from './oidc.js';
export type { QueryInputCode, QueryInputProblem } from './query.js';
export {
  type BrokerRoute,
  DEFAULT_PORTS,
  type LocalStack,
  type PortName,
  type StartStackOptions,
  startStack,
} from './stack.js';
export type * from './types.js';
