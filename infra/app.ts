/**
 * The SST app settings of a stage (`sst.config.ts` `app()`): region and account pinned from the
 * configuration, so a deploy with the wrong credentials fails instead of landing elsewhere.
 */
import config from '../tessera.config.js';
import { resolveStage } from './config.js';

/** The AWS provider version SST installs; pinned so `sst install` and deploys are repeatable. */
export const AWS_PROVIDER_VERSION = '6.66.2';

export function appSettings(stageName: string) {
  const stage = resolveStage(config, stageName);
  return {
    name: config.app,
    home: 'aws' as const,
    removal: stage.production ? ('retain' as const) : ('remove' as const),
    protect: stage.production,
    providers: {
      aws: {
        version: AWS_PROVIDER_VERSION,
        region: stage.region,
        allowedAccountIds: [stage.account],
      },
    },
  };
}
