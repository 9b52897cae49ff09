/** Lambda entry for the `credentials` function's routes (see routes.ts), dispatched on `routeKey`. Built once, at import. */
import { functionHandler } from '../lambda.js';

export const handler = functionHandler('credentials');
