/**
 * The portal's screens over the operator routes (`/v1/simulate`, `/v1/console`, `/v1/audit`,
 * account names on `/v1/roles`), in real Chromium against the local stack: why a role is refused,
 * a console link the local federation stand-in accepts, accounts by name, the admin's simulate and
 * audit panels. axe-core on each screen; screenshots under test/screenshots/.
 */
import { describe, expect, it } from 'vitest';
import {
  accessibilityProblems,
  apiAs,
  browser,
  photograph,
  roleIds,
  signIn,
  stack,
  textOf,
  usePortalStack,
} from './portal-harness.js';

usePortalStack();

describe('erin (engineering)', () => {
  it('sees why partner-audit is refused, by key and operator, without the expected values', async () => {
    const page = await signIn('erin');
    await page.goto(`${stack.info.api}/#/why/partner-audit`);
    expect(await textOf(page.locator('.explanation h2'))).toBe('You may not use partner-audit.');
    const reasons = await textOf(page.locator('.explanation li'));
    expect(reasons).toContain('The role requires your groups to be one of the allowed values');
    expect(reasons).toContain('[token:cognito:groups, ForAnyValue:StringEquals]');
    expect(reasons).not.toContain('auditors');
    // The same screen from the form: a role she may use.
    await page.getByLabel('Role id').fill('eng-readonly');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.locator('.explanation h2', { hasText: 'You may use eng-readonly.' }).waitFor();
    await page.getByLabel('Role id').fill('partner-audit');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.locator('.explanation h2', { hasText: 'You may not use' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await photograph(page, 'why');
    await page.close();
  });

  it('opens a console link in a new tab that the local federation stand-in accepts', async () => {
    const page = await signIn('erin');
    const role = page.locator('li.role[data-binding="eng-readonly"]');
    const [tab] = await Promise.all([
      browser.waitForEvent('page'),
      role.getByRole('button', { name: 'Console' }).click(),
    ]);
    await tab.waitForURL(/Action=login/);
    expect(await textOf(tab.locator('#role'))).toBe('arn:aws:iam::111111111111:role/eng-readonly');
    expect(await textOf(tab.locator('#source-identity'))).toBe('erin');
    expect(await textOf(tab.locator('#session'))).toMatch(/assumed-role\/eng-readonly\/erin/);
    expect(await tab.evaluate('window.opener')).toBeNull();
    expect(await textOf(role.locator('.inline-status'))).toContain('Console opened in a new tab');
    await tab.close();
    await page.close();
  });
});

describe('olga (auditors)', () => {
  it('sees her roles in two accounts, by name', async () => {
    // The administrator lets auditors use eng-readonly too (through the admin API).
    const admin = await apiAs('admin');
    const { binding, version } = await admin.getBinding('eng-readonly');
    const trust = structuredClone(binding['trustPolicy']) as {
      Statement: { Condition: Record<string, Record<string, string[]>> }[];
    };
    trust.Statement[0]!.Condition['ForAnyValue:StringEquals']!['token:cognito:groups'] = [
      'engineering',
      'auditors',
    ];
    await admin.putBinding('eng-readonly', { ...binding, trustPolicy: trust }, version);

    const page = await signIn('olga');
    const names = async () => {
      await page.reload();
      await page.locator('#role-list').waitFor();
      return page.locator('section.account h2').allTextContents();
    };
    // The roles function caches a pool's bindings for 5 s locally.
    await expect
      .poll(names, { timeout: 30_000, interval: 1_000 })
      .toEqual(['main 111111111111', 'partner 222222222222']);
    expect(await roleIds(page)).toEqual(['eng-readonly', 'partner-audit']);
    // Filter by account, then search by role.
    await page.getByLabel('Account').selectOption('222222222222');
    expect(await roleIds(page)).toEqual(['partner-audit']);
    await page.getByLabel('Account').selectOption('');
    await page.getByLabel('Search roles').fill('eng-read');
    expect(await roleIds(page)).toEqual(['eng-readonly']);
    await page.getByLabel('Search roles').fill('');
    expect(await accessibilityProblems(page)).toEqual([]);
    await photograph(page, 'roles-accounts');
    await page.close();
  });
});

describe('admin', () => {
  it('simulates erin’s claims on partner-audit: refused, with the expected values and the trace', async () => {
    const page = await signIn('admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    const panel = page.locator('section', {
      has: page.getByRole('heading', { name: 'Simulate a request' }),
    });
    await panel.getByLabel('Role id').fill('partner-audit');
    await panel.getByLabel(/Claims/).fill(JSON.stringify({ 'cognito:groups': ['engineering'] }));
    await panel.getByRole('button', { name: 'Simulate' }).click();
    expect(await textOf(panel.locator('h3.refused'))).toBe('Refused');
    expect(await textOf(panel.locator('.reasons li'))).toContain('auditors');
    expect(await textOf(panel.locator('details summary'))).toBe('Evaluator trace');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.close();
  });

  it('reads audit events filtered by binding and result, page by page', async () => {
    const erin = await apiAs('erin');
    // More than one page (the panel shows 25 events a page).
    for (let i = 0; i < 26; i += 1) await erin.credentials({ role: 'eng-readonly' });
    const page = await signIn('admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    const panel = page.locator('section', {
      has: page.getByRole('heading', { name: 'Audit events' }),
    });
    await panel.getByLabel('Binding').fill('eng-readonly');
    await panel.getByLabel('Result').selectOption('grant');
    await panel.getByRole('button', { name: 'Search' }).click();
    await panel.locator('table.audit tbody tr').first().waitFor();
    const rows = await panel
      .locator('table.audit tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
      );
    for (const row of rows) {
      expect(row[3]).toBe('eng-readonly');
      expect(row[4]).toBe('grant');
    }
    // erin's three vends, each with the access key it issued (binding writes carry none).
    const vends = rows.filter((r) => r[2] === 'vend' && r[1] === 'erin');
    expect(rows.length).toBe(25);
    expect(vends.length).toBeGreaterThanOrEqual(3);
    for (const row of vends) expect(row[6]).toMatch(/^ASIA/);
    const times = rows.map((r) => String(r[0]));
    expect([...times].sort().reverse()).toEqual(times);
    const ids = () =>
      panel
        .locator('table.audit tbody tr')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-event')));
    const first = await ids();
    await panel.getByRole('button', { name: 'Older' }).click();
    await panel.getByText('Page 2').waitFor();
    const second = await ids();
    expect(second.length).toBeGreaterThanOrEqual(1);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    await panel.getByRole('button', { name: 'Newer' }).click();
    await panel.getByText('Page 1').waitFor();
    expect(await ids()).toEqual(first);
    expect(await accessibilityProblems(page)).toEqual([]);
    await photograph(page, 'admin-audit');
    await page.close();
  });

  it('revokes olga from the kill switch panel (her next vend refused), lists it, and lifts it', async () => {
    const olga = await apiAs('olga');
    await olga.credentials({ role: 'partner-audit' });
    const page = await signIn('admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    const panel = page.locator('section', {
      has: page.getByRole('heading', { name: 'Revocations (kill switch)' }),
    });
    await panel.getByLabel('Username').fill('olga');
    await panel.getByLabel('Reason').fill('phished');
    await panel.getByRole('button', { name: 'Revoke' }).click();
    await panel.locator('#revocation-outcome', { hasText: 'Revoked olga' }).waitFor();
    expect(await textOf(panel.locator('#revocation-outcome'))).toContain(
      'TesseraRevocations on arn:aws:iam::222222222222:role/partner-audit: put',
    );
    const row = panel.locator('table.revocations tbody tr[data-state="active"]');
    expect(await textOf(row)).toContain('phished');
    await expect(olga.credentials({ role: 'partner-audit' })).rejects.toMatchObject({
      code: 'RoleNotPermitted',
    });
    expect(await accessibilityProblems(page)).toEqual([]);
    await photograph(page, 'admin-revocations');
    await row.getByRole('button', { name: 'Lift olga' }).click();
    await panel.locator('#revocation-outcome', { hasText: 'Lifted olga' }).waitFor();
    await panel.locator('table.revocations tbody tr[data-state="lifted"]').waitFor();
    expect((await olga.credentials({ role: 'partner-audit' })).roleArn).toBe(
      'arn:aws:iam::222222222222:role/partner-audit',
    );
    await page.close();
  });
});
