/**
 * The access portal in real Chromium (Debian's, driven by playwright-core) against the local stack
 * (`startStack({ home: tmp, ports: 0 })`), served by the stack at `/` from packages/portal/dist
 * (`npm run build` first). Each main screen is scanned with axe-core (no serious or critical
 * violation) and photographed at desktop and phone size under test/screenshots/.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import {
  accessibilityProblems,
  ageSession,
  apiAs,
  browser,
  consoleLines,
  openBinding,
  photograph,
  roleIds,
  secrets,
  signIn,
  stack,
  textOf,
  usePortalStack,
} from './portal-harness.js';

usePortalStack();

describe('the portal, signed out', () => {
  it('is served at / with its config, and the portal client’s callback is on the API’s port', async () => {
    const res = await fetch(`${stack.info.api}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const config = (await (await fetch(`${stack.info.api}/config.json`)).json()) as Record<
      string,
      string
    >;
    expect(config).toMatchObject({
      api: stack.info.api,
      clientId: stack.info.issuer.clients.portal,
    });
    expect(stack.info.issuer.callbackUrls.portal).toContain(`${stack.info.api}/callback`);
    const page = await browser.newPage();
    await page.goto(stack.info.api);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await photograph(page, 'signed-out');
    await page.close();
  });
});

describe('erin (engineering)', () => {
  it('signs in through the login page and sees exactly the roles her groups allow', async () => {
    const page = await signIn('erin');
    const allowed = (await (await apiAs('erin')).roles()).accounts.flatMap((a) =>
      a.roles.map((r) => r.bindingId),
    );
    expect(allowed).toEqual(['eng-readonly', 'eng-workday']);
    expect(await roleIds(page)).toEqual(allowed);
    expect(await textOf(page.locator('#who'))).toContain('erin');
    expect(await textOf(page.locator('section.account h2'))).toContain('111111111111');
    // The tokens: in sessionStorage only, never in localStorage or the address bar.
    const storage = (await page.evaluate(
      '({ local: Object.keys(localStorage), session: Object.keys(sessionStorage), url: location.href })',
    )) as { local: string[]; session: string[]; url: string };
    expect(storage.local).toEqual([]);
    expect(storage.session).toEqual(['tessera:portal']);
    const session = JSON.parse(
      String(await page.evaluate("sessionStorage.getItem('tessera:portal')")),
    ) as Record<string, string>;
    secrets.push(session.idToken!, session.accessToken!, session.refreshToken!);
    expect(storage.url).toBe(`${stack.info.api}/#/roles`);
    expect(await accessibilityProblems(page)).toEqual([]);
    await photograph(page, 'roles');
    await page.close();
  });

  it('copies CLI credentials that GetCallerIdentity on the local STS accepts', async () => {
    const page = await signIn('erin');
    const role = page.locator('li.role[data-binding="eng-readonly"]');
    await role.getByRole('button', { name: 'CLI credentials' }).click();
    await role.getByLabel('Session length').selectOption('900');
    await role.getByRole('button', { name: 'Get credentials' }).click();
    await role.locator('.export-block pre').waitFor();
    await role.getByRole('button', { name: 'Copy the exports' }).click();
    await page.locator('#status', { hasText: 'copied' }).waitFor();
    const copied = String(await page.evaluate('navigator.clipboard.readText()'));
    const env = Object.fromEntries(
      [...copied.matchAll(/^export (\w+)=(.+)$/gm)].map((m) => [m[1], m[2]]),
    );
    expect(Object.keys(env).sort()).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
    ]);
    const sts = new STSClient({
      region: stack.info.region,
      endpoint: stack.info.sts,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID!,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
        sessionToken: env.AWS_SESSION_TOKEN!,
      },
    });
    secrets.push(env.AWS_SECRET_ACCESS_KEY!, env.AWS_SESSION_TOKEN!);
    const who = await sts.send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toMatch(/^arn:aws:sts::111111111111:assumed-role\/eng-readonly\/erin/);
    expect(await textOf(role.locator('.profile-block pre'))).toContain(
      'credential_process = tessera credentials --role eng-readonly',
    );
    expect(await textOf(role)).toContain('15 min');
    // The secret is on the page, never in storage or the address bar.
    const stored = String(
      await page.evaluate(
        'JSON.stringify({ ...sessionStorage, ...localStorage, url: location.href })',
      ),
    );
    expect(stored).not.toContain(env.AWS_SECRET_ACCESS_KEY!);
    expect(await accessibilityProblems(page)).toEqual([]);
    await photograph(page, 'cli-credentials');
    await page.close();
  });
});

describe('the keyboard', () => {
  it('reaches a role’s CLI credentials and gets them without a mouse', async () => {
    const page = await signIn('erin');
    await page.locator('li.role').first().waitFor();
    const focused = () => page.evaluate('document.activeElement?.textContent ?? ""');
    for (let i = 0; i < 20 && (await focused()) !== 'CLI credentials'; i += 1) {
      await page.keyboard.press('Tab');
    }
    expect(await focused()).toBe('CLI credentials');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe(
      await page.getByLabel('Session length').getAttribute('id'),
    );
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Get credentials');
    await page.keyboard.press('Enter');
    await page.locator('.export-block pre').waitFor();
    await page.close();
  });
});

describe('the session', () => {
  it('is refreshed through the pool when it nears expiry, and kept in this tab only', async () => {
    const page = await signIn('erin');
    await ageSession(page, 't.expiresAt = Date.now() + 5000');
    const before = String(await page.evaluate("sessionStorage.getItem('tessera:portal')"));
    await page.reload();
    expect(await roleIds(page)).toEqual(['eng-readonly', 'eng-workday']);
    await page.waitForFunction(
      "JSON.parse(sessionStorage.getItem('tessera:portal')).expiresAt > Date.now() + 600000",
    );
    const after = String(await page.evaluate("sessionStorage.getItem('tessera:portal')"));
    expect(JSON.parse(after).idToken).not.toBe(JSON.parse(before).idToken);
    // A new tab has no session: it asks to sign in.
    const other = await browser.newPage();
    await other.goto(stack.info.api);
    await other.getByRole('button', { name: 'Sign in' }).waitFor();
    await other.close();
    await page.close();
  });

  it('an expired session that cannot be refreshed says so and offers to sign in again', async () => {
    const page = await signIn('erin');
    await ageSession(page, "t.expiresAt = Date.now() - 1000; t.refreshToken = 'revoked'");
    await page.reload();
    expect(await textOf(page.locator('[role="alert"]'))).toContain(
      'Your session has expired. Sign in again.',
    );
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate('Object.keys(sessionStorage)')).toEqual([]);
    await page.close();
  });

  it('sign out forgets the session', async () => {
    const page = await signIn('erin');
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await textOf(page.locator('[role="alert"]'))).toContain('You are signed out.');
    expect(await page.evaluate('Object.keys(sessionStorage)')).toEqual([]);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.close();
  });
});

describe('admin', () => {
  it('edits a binding: a schema error and a server finding are highlighted by path; fixed and saved, erin’s roles change after a reload', {
    timeout: 120_000,
  }, async () => {
    const erin = await signIn('erin');
    expect(await roleIds(erin)).toEqual(['eng-readonly', 'eng-workday']);

    const page = await signIn('admin');
    const { editor, doc } = await openBinding(page, 'partner-audit');
    const save = page.getByRole('button', { name: 'Save' });

    // Live, against the published binding schema: a string where a boolean belongs.
    await editor.fill(JSON.stringify({ ...doc, enabled: 'yes' }, null, 2));
    await page.locator('mark[data-pointer~="/enabled"]').waitFor();
    expect(await textOf(page.locator('#findings li[data-pointer="/enabled"]'))).toContain(
      'must be boolean',
    );
    expect(await save.isDisabled()).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await photograph(page, 'admin-editor-error');

    // The schema cannot read the policy grammar: the server's 422 names the path, highlighted too.
    const misspelled = structuredClone(doc);
    misspelled.trustPolicy.Statement[0]!.Effect = 'Alow';
    await editor.fill(JSON.stringify(misspelled, null, 2));
    await page.locator('#findings p.ok').waitFor();
    await save.click();
    const effect = '/trustPolicy/Statement/0/Effect';
    await page.locator(`mark[data-pointer~="${effect}"]`).waitFor();
    expect(await textOf(page.locator(`#findings li[data-pointer="${effect}"]`))).toContain(
      '(server)',
    );

    // Fixed: engineering may now use partner-audit too.
    const fixed = structuredClone(doc);
    fixed.trustPolicy.Statement[0]!.Condition['ForAnyValue:StringEquals']!['token:cognito:groups'] =
      ['auditors', 'engineering'];
    await editor.fill(JSON.stringify(fixed, null, 2));
    await page.locator('#findings p.ok').waitFor();
    await save.click();
    expect(await textOf(page.locator('.save-result p.ok'))).toContain(
      `Saved partner-audit: version ${Number(doc.version) + 1}.`,
    );
    expect(await page.locator('mark').count()).toBe(0);

    // The roles function caches a pool's bindings (5 s locally): erin reloads until it expires.
    await expect
      .poll(
        async () => {
          await erin.reload();
          return roleIds(erin);
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toEqual(['eng-readonly', 'eng-workday', 'partner-audit']);
    await erin.close();
    await page.close();
  });

  it('a stale save shows the conflict and offers the stored binding', {
    timeout: 120_000,
  }, async () => {
    const page = await signIn('admin');
    const { editor, doc } = await openBinding(page, 'eng-readonly');
    // Another administrator saves first (through the API, with the version both started from).
    const other = await apiAs('admin');
    const { binding, version } = await other.getBinding('eng-readonly');
    await other.putBinding(
      'eng-readonly',
      { ...binding, durationSeconds: { default: 1800, max: 3600 } },
      version,
    );

    await editor.fill(
      JSON.stringify({ ...doc, durationSeconds: { default: 900, max: 3600 } }, null, 2),
    );
    await page.locator('#findings p.ok').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await textOf(page.locator('.save-result [role="alert"]'))).toContain(
      'Someone else changed this binding after you opened it',
    );
    expect(await accessibilityProblems(page)).toEqual([]);
    await photograph(page, 'admin-conflict');
    await page.getByRole('button', { name: 'Reload the stored binding' }).click();
    await page.locator('.save-result', { hasText: `Reloaded version ${version + 1}` }).waitFor();
    expect(JSON.parse(await editor.inputValue()).durationSeconds).toEqual({
      default: 1800,
      max: 3600,
    });
    await page.close();
  });
});

describe('the browser console', () => {
  it('never shows a token or a credential', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    for (const line of consoleLines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
      expect(line).not.toMatch(/eyJ[\w-]+\.eyJ/);
    }
  });
});
