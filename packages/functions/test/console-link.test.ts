/**
 * The console sign-in link against a federation endpoint that records what it was asked: the
 * documented parameters, and `SessionDuration` only for credentials that are not role-chained.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleDestination, consoleSigninUrl } from '../src/index.js';

let server: Server;
let endpoint: string;
const asked: URLSearchParams[] = [];
let answer: { status: number; body: unknown } = { status: 200, body: { SigninToken: 'tok-1' } };

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(new URL(req.url ?? '/', 'http://x').searchParams);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/federation`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const credentials = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'secret',
  sessionToken: 'token',
  expiration: '2030-01-01T00:00:00Z',
};
const config = () => ({
  federationEndpoint: endpoint,
  destination: 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1',
  issuer: 'https://access.example.com/',
});

describe('consoleSigninUrl', () => {
  it('with role-chained credentials: getSigninToken without SessionDuration, then the login URL', async () => {
    asked.length = 0;
    answer = { status: 200, body: { SigninToken: 'tok-1' } };
    const url = new URL(
      await consoleSigninUrl(
        { config: config(), roleChaining: true },
        credentials,
        3600,
        config().destination,
      ),
    );
    expect(asked[0]?.get('Action')).toBe('getSigninToken');
    expect(asked[0]?.has('SessionDuration')).toBe(false);
    expect(JSON.parse(asked[0]?.get('Session') ?? '')).toEqual({
      sessionId: 'ASIAEXAMPLE',
      sessionKey: 'secret',
      sessionToken: 'token',
    });
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: 'login',
      Issuer: 'https://access.example.com/',
      Destination: config().destination,
      SigninToken: 'tok-1',
    });
  });

  it('with long-term broker credentials: SessionDuration is the session length, within 900..43200', async () => {
    asked.length = 0;
    await consoleSigninUrl(
      { config: config(), roleChaining: false },
      credentials,
      7200,
      config().destination,
    );
    await consoleSigninUrl(
      { config: config(), roleChaining: false },
      credentials,
      600,
      config().destination,
    );
    expect(asked.map((q) => q.get('SessionDuration'))).toEqual(['7200', '900']);
  });

  it('fails as unavailable (503) when the endpoint refuses or answers no token', async () => {
    for (const bad of [
      { status: 400, body: { message: 'Invalid credentials parameter' } },
      { status: 200, body: {} },
    ]) {
      answer = bad;
      await expect(
        consoleSigninUrl(
          { config: config(), roleChaining: true },
          credentials,
          3600,
          config().destination,
        ),
      ).rejects.toMatchObject({ name: 'VendError', code: 'StsUnavailable' });
    }
  });
});

describe('consoleDestination', () => {
  it('defaults to the console home and accepts pages of the console, regional ones included', () => {
    expect(consoleDestination(config(), undefined)).toBe(config().destination);
    expect(consoleDestination(config(), 'https://us-east-1.console.aws.amazon.com/s3/home')).toBe(
      'https://us-east-1.console.aws.amazon.com/s3/home',
    );
    expect(consoleDestination(config(), 'https://console.aws.amazon.com/iam/home')).toBe(
      'https://console.aws.amazon.com/iam/home',
    );
  });

  it('refuses any other site (no open redirect through the sign-in link)', () => {
    for (const bad of [
      'https://evil.example.com/',
      'https://console.aws.amazon.com.evil.com/',
      'http://console.aws.amazon.com/',
      42,
    ]) {
      expect(() => consoleDestination(config(), bad)).toThrow(
        expect.objectContaining({ code: 'InvalidRequest', field: '/destination' }),
      );
    }
  });
});
