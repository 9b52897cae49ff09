import { describe, expect, it } from 'vitest';
import { compilePrincipal, matchPrincipal, notPrincipalExempts } from '../src/principal.js';
import type { PrincipalEntryAst, PrincipalType, RequestPrincipal } from '../src/types.js';

const compiled = (
  entries: Array<[PrincipalType, string]>,
  element: 'Principal' | 'NotPrincipal' = 'Principal',
) =>
  compilePrincipal({
    element,
    any: false,
    entries: entries.map(([type, id]): PrincipalEntryAst => ({ type, id })),
  });
const aws = (id: string): RequestPrincipal => ({ type: 'AWS', id });

const ROLE = 'arn:aws:iam::111122223333:role/team/admin';
const SESSION = 'arn:aws:sts::111122223333:assumed-role/admin/alice';

describe('matchPrincipal', () => {
  it('"*" matches everyone, anonymous included — never as a direct grant (limited, like a role ARN)', () => {
    const star = compilePrincipal({ element: 'Principal', any: true, entries: [] });
    expect(matchPrincipal(star, aws(ROLE))).toBe('role');
    expect(matchPrincipal(star, aws(SESSION))).toBe('role');
    expect(matchPrincipal(star, undefined)).toBe('role');
    expect(matchPrincipal(compiled([['AWS', '*']]), { type: 'Federated', id: 'x' })).toBe('role');
  });

  it('an account matches its principals through the account', () => {
    for (const id of ['111122223333', 'arn:aws:iam::111122223333:root']) {
      const p = compiled([['AWS', id]]);
      expect(matchPrincipal(p, aws(SESSION))).toBe('account');
      expect(matchPrincipal(p, aws('arn:aws:iam::111122223333:user/bob'))).toBe('account');
      expect(matchPrincipal(p, aws('arn:aws:iam::444455556666:user/bob'))).toBe('none');
      expect(matchPrincipal(p, aws('arn:aws:iam::111122223333:root'))).toBe('direct');
      expect(matchPrincipal(p, { type: 'Federated', id: '111122223333' })).toBe('none');
    }
  });

  it('a role ARN matches the role and its sessions (the path is not in a session ARN)', () => {
    const p = compiled([['AWS', ROLE]]);
    expect(matchPrincipal(p, aws(ROLE))).toBe('direct');
    expect(matchPrincipal(p, aws(SESSION))).toBe('role');
    expect(matchPrincipal(p, aws('arn:aws:sts::111122223333:assumed-role/admin2/alice'))).toBe(
      'none',
    );
    expect(matchPrincipal(p, aws('arn:aws:sts::444455556666:assumed-role/admin/alice'))).toBe(
      'none',
    );
  });

  it('a session ARN matches exactly that session', () => {
    const p = compiled([['AWS', SESSION]]);
    expect(matchPrincipal(p, aws(SESSION))).toBe('direct');
    expect(matchPrincipal(p, aws('arn:aws:sts::111122223333:assumed-role/admin/bob'))).toBe('none');
    expect(matchPrincipal(p, aws(ROLE))).toBe('none');
  });

  it('Federated, Service and CanonicalUser match exactly, by type', () => {
    const p = compiled([
      ['Federated', 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC'],
      ['Service', 'ec2.amazonaws.com'],
      ['CanonicalUser', 'abc123'],
    ]);
    expect(
      matchPrincipal(p, {
        type: 'Federated',
        id: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC',
      }),
    ).toBe('direct');
    expect(
      matchPrincipal(p, {
        type: 'Federated',
        id: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other',
      }),
    ).toBe('none');
    expect(matchPrincipal(p, { type: 'Service', id: 'ec2.amazonaws.com' })).toBe('direct');
    expect(matchPrincipal(p, { type: 'AWS', id: 'ec2.amazonaws.com' })).toBe('none');
    expect(matchPrincipal(p, { type: 'CanonicalUser', id: 'abc123' })).toBe('direct');
    expect(matchPrincipal(p, undefined)).toBe('none');
  });

  it('only a bare * is a wildcard', () => {
    const p = compiled([['AWS', 'arn:aws:iam::111122223333:role/*']]);
    expect(matchPrincipal(p, aws(ROLE))).toBe('none');
    expect(matchPrincipal(p, aws('arn:aws:iam::111122223333:role/*'))).toBe('direct');
  });
});

describe('notPrincipalExempts', () => {
  it('needs the account and the principal listed', () => {
    const user = 'arn:aws:iam::111122223333:user/bob';
    expect(notPrincipalExempts(compiled([['AWS', user]], 'NotPrincipal'), aws(user))).toBe(false);
    expect(
      notPrincipalExempts(
        compiled(
          [
            ['AWS', user],
            ['AWS', 'arn:aws:iam::111122223333:root'],
          ],
          'NotPrincipal',
        ),
        aws(user),
      ),
    ).toBe(true);
    expect(
      notPrincipalExempts(
        compiled(
          [
            ['AWS', SESSION],
            ['AWS', '111122223333'],
          ],
          'NotPrincipal',
        ),
        aws(SESSION),
      ),
    ).toBe(true);
    expect(
      notPrincipalExempts(
        compiled(
          [
            ['AWS', ROLE],
            ['AWS', '111122223333'],
          ],
          'NotPrincipal',
        ),
        aws(SESSION),
      ),
    ).toBe(true);
    expect(
      notPrincipalExempts(compiled([['AWS', '111122223333']], 'NotPrincipal'), aws(SESSION)),
    ).toBe(false);
    expect(
      notPrincipalExempts(compiled([['Service', 's.amazonaws.com']], 'NotPrincipal'), {
        type: 'Service',
        id: 's.amazonaws.com',
      }),
    ).toBe(true);
    expect(
      notPrincipalExempts(compiled([['AWS', '111122223333']], 'NotPrincipal'), undefined),
    ).toBe(false);
  });
});
