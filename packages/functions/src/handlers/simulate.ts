/** Lambda entry for the `simulate` routes (see routes.ts). Built once, at import. */
import { lambdaHandler } from '../lambda.js';

export const handler = lambdaHandler('simulate');
