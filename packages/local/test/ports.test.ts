/**
 * Every server's port is configurable: `TESSERA_PORTS` (or the config file's `ports`), not only
 * the API's. Ports are found free at run time; none is fixed.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH, parseLocalConfig, startStack } from '../src/index.js';
import { tempHome } from './helpers.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const portOf = (url: string) => Number(new URL(url).port);

describe('ports', () => {
  it('takes every server port from TESSERA_PORTS', async () => {
    const [api, issuer, sts, iam, dynamodb, federation, cloudtrail, s3] = await Promise.all(
      Array.from({ length: 8 }, freePort),
    );
    const { home, cleanup } = tempHome();
    const stack = await startStack({
      home,
      env: {
        TESSERA_PORTS: `api=${api},issuer=${issuer},sts=${sts},iam=${iam},dynamodb=${dynamodb},federation=${federation},cloudtrail=${cloudtrail},s3=${s3}`,
      },
    });
    try {
      expect([
        portOf(stack.info.api),
        portOf(stack.info.cognitoIdp),
        portOf(stack.info.sts),
        portOf(stack.info.iam),
        portOf(stack.info.dynamodb),
        portOf(stack.info.federation),
        portOf(stack.info.cloudtrail),
        portOf(stack.info.s3),
      ]).toEqual([api, issuer, sts, iam, dynamodb, federation, cloudtrail, s3]);
    } finally {
      await stack.stop();
      cleanup();
    }
  });

  it("takes them from the config file's ports, and refuses a malformed TESSERA_PORTS", async () => {
    const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
    const sts = await freePort();
    raw.ports = {
      api: 0,
      issuer: 0,
      sts,
      iam: 0,
      dynamodb: 0,
      federation: 0,
      cloudtrail: 0,
      s3: 0,
    };
    const config = parseLocalConfig(raw);
    const { home, cleanup } = tempHome();
    const stack = await startStack({ home, config, env: {} });
    try {
      expect(portOf(stack.info.sts)).toBe(sts);
    } finally {
      await stack.stop();
    }
    await expect(
      startStack({ home, config, env: { TESSERA_PORTS: 'api=x' } }),
    ).rejects.toMatchObject({ code: 'InvalidConfig' });
    await expect(
      startStack({ home, config, env: { TESSERA_PORTS: 'printer=9100' } }),
    ).rejects.toMatchObject({ code: 'InvalidConfig' });
    expect(() => parseLocalConfig({ ...raw, ports: { api: 'x' } })).toThrow(/\/ports\/api/);
    cleanup();
  });
});
