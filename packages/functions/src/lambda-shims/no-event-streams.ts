/**
 * In a Lambda bundle, `@smithy/core/event-streams` is this module: `infra/lambda-plugins.mjs`
 * redirects the import. The SDK's protocols load event-stream support with a dynamic import, only
 * for an operation with an event stream; DynamoDB, STS, KMS, IAM and CloudTrail have none, so the
 * real module (~15 KiB) would never run. Should one ever be called, it fails instead.
 */
const UNSUPPORTED =
  'event streams are not bundled in Tessera functions (infra/lambda-plugins.mjs): no service they call uses them';

export class EventStreamSerde {
  constructor() {
    throw new Error(UNSUPPORTED);
  }
}

export function eventStreamSerdeProvider(): never {
  throw new Error(UNSUPPORTED);
}
