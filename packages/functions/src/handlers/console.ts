/** Lambda entry for the `console` routes (see routes.ts). Built once, at import. */
import { lambdaHandler } from '../lambda.js';

export const handler = lambdaHandler('console');
