import { describe, expect, it } from 'vitest';
import { followApiPort } from '../src/portal.js';

describe('followApiPort', () => {
  it('moves loopback callback URLs to the API port and leaves the others', () => {
    expect(
      followApiPort(
        [
          'http://127.0.0.1:8787/callback',
          'http://localhost:8787/callback',
          'https://access.example.com/callback',
        ],
        41234,
      ),
    ).toEqual([
      'http://127.0.0.1:41234/callback',
      'http://localhost:41234/callback',
      'https://access.example.com/callback',
    ]);
  });
});
