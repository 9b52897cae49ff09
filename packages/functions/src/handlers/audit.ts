/** Lambda entry for the `audit` routes (see routes.ts), dispatched on `routeKey`. Built once, at import. */
import { auditLambdaHandler } from '../audit-app.js';

export const handler = auditLambdaHandler();
