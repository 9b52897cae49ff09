import { describe, expect, it } from 'vitest';
import { upsertProfile } from '../src/commands/configure.js';

const values = { credential_process: 'tessera credentials --role a', region: 'eu-west-1' };

describe('upsertProfile', () => {
  it('appends a profile to an empty or existing file', () => {
    expect(upsertProfile('', 'a', values)).toBe(
      '[profile a]\ncredential_process = tessera credentials --role a\nregion = eu-west-1\n',
    );
    expect(upsertProfile('[default]\nregion = us-east-1\n', 'a', values)).toBe(
      '[default]\nregion = us-east-1\n\n[profile a]\ncredential_process = tessera credentials --role a\nregion = eu-west-1\n',
    );
  });

  it('is idempotent and leaves other profiles and other keys of the profile alone', () => {
    const start =
      '[profile a]\noutput = json\ncredential_process = old\n\n[profile b]\nregion = us-east-2\n';
    const once = upsertProfile(start, 'a', values);
    expect(once).toBe(
      '[profile a]\noutput = json\ncredential_process = tessera credentials --role a\nregion = eu-west-1\n\n[profile b]\nregion = us-east-2\n',
    );
    expect(upsertProfile(once, 'a', values)).toBe(once);
  });
});
