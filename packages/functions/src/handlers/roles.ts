/** Lambda entry for the `roles` routes (see routes.ts). Built once, at import. */
import { lambdaHandler } from '../lambda.js';

export const handler = lambdaHandler('roles');
