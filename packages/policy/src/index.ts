export { compilePolicy, type Policy, parsePolicy } from './compile.js';
export {
  assertNever,
  type EvaluationErrorCode,
  PolicyError,
  type PolicyErrorCode,
  type PolicyWarningCode,
} from './errors.js';
export { evaluate } from './evaluate.js';
export { findDuplicateKeys } from './json.js';
export { closestName } from './suggest.js';
export type * from './types.js';
export { BASE_OPERATORS } from './types.js';
export { validatePolicy } from './validate.js';
