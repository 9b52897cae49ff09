/** Lambda entry for the `health` routes (see routes.ts). Built once, at import. */
import { lambdaHandler } from '../lambda.js';

export const handler = lambdaHandler('health');
