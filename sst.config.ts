/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Tessera on AWS: API Gateway HTTP API + Lambda + DynamoDB + Cognito. Resources are declared in
 * `infra/`, configured by `tessera.config.ts` and validated before anything is deployed. Stages:
 * `dev` and `production`; production retains and protects its data and refuses `sst remove`.
 */
export default $config({
  async app(input) {
    const { appSettings } = await import('./infra/app.js');
    return appSettings(input.stage);
  },
  async run() {
    const { deploy } = await import('./infra/index.js');
    return deploy($app.stage);
  },
});
