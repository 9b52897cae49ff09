/**
 * The modules a Lambda bundle carries in place of the SDK's default credential chain and of
 * event-stream support (`infra/lambda-plugins.mjs`), with a real STS client.
 */
import { STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '../src/lambda-shims/env-credentials.js';
import {
  EventStreamSerde,
  eventStreamSerdeProvider,
} from '../src/lambda-shims/no-event-streams.js';

const KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));

afterEach(() => {
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('env-credentials (the default chain in a Lambda bundle)', () => {
  it('reads the execution role credentials from the environment', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAENVEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
    process.env.AWS_SESSION_TOKEN = 'env-token';
    await expect(defaultProvider()()).resolves.toMatchObject({
      accessKeyId: 'ASIAENVEXAMPLE',
      secretAccessKey: 'env-secret',
      sessionToken: 'env-token',
    });
  });

  it('is what an SDK client given no credentials resolves them with', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIACLIENTEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'client-secret';
    const client = new STSClient({
      region: 'eu-west-1',
      credentialDefaultProvider: defaultProvider,
    });
    await expect(client.config.credentials()).resolves.toMatchObject({
      accessKeyId: 'ASIACLIENTEXAMPLE',
    });
  });

  it('fails, trying nothing else, when the environment has none', async () => {
    for (const k of KEYS) delete process.env[k];
    await expect(defaultProvider()()).rejects.toMatchObject({ name: 'CredentialsProviderError' });
  });
});

describe('no-event-streams', () => {
  it('throws if an event-stream operation ever reaches it', () => {
    expect(() => new EventStreamSerde()).toThrow(/event streams are not bundled/);
    expect(() => eventStreamSerdeProvider()).toThrow(/event streams are not bundled/);
  });
});
