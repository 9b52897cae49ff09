/** Lambda entry for the `admin-bindings` routes (see routes.ts), dispatched on `routeKey`. Built once, at import. */
import { adminLambdaHandler } from '../admin-app.js';

export const handler = adminLambdaHandler();
