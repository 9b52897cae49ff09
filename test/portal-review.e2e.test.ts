/**
 * The portal's access review and what-if (issue 17), in real Chromium against the local stack:
 * erin vends eng-readonly and olga partner-audit; the administrator's access review shows olga on
 * partner-audit with her last use (the time of her grant in the audit log), by binding and by
 * subject, stale access marked, paged one subject at a time by cursor, and downloads the server's
 * CSV; editing eng-readonly to drop the `engineering` group and previewing lists erin as losing
 * it with the failing condition, nothing saved; a removal preview; the server's problem with a
 * proposed binding shown on the editor at its JSON Pointer. axe-core on each screen.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  accessibilityProblems,
  apiAs,
  openBinding,
  photograph,
  signIn,
  textOf,
  usePortalStack,
} from './portal-harness.js';

usePortalStack();

/** erin's eng-readonly and olga's partner-audit vends, and olga's grant time from the audit log. */
async function vends(): Promise<{ olgaUsedAt: string }> {
  await (await apiAs('erin')).credentials({ role: 'eng-readonly' });
  await (await apiAs('olga')).credentials({ role: 'partner-audit' });
  const admin = await apiAs('admin');
  const { events } = await admin.audit({ binding: 'partner-audit', result: 'grant' });
  const olga = events.filter((e) => e['username'] === 'olga');
  expect(olga).toHaveLength(1);
  return { olgaUsedAt: String(olga[0]!['at']) };
}

function reviewSection(page: Page) {
  return page.locator('section.review');
}

async function rows(page: Page): Promise<string[][]> {
  const table = reviewSection(page).locator('table.access-review');
  await table.waitFor();
  return table
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [
        tr.className,
        ...[...tr.querySelectorAll('th, td')].map((c) => c.textContent ?? ''),
      ]),
    );
}

describe('the access review', () => {
  it('shows olga on partner-audit with her last use, by binding and by subject, stale access marked, asked again for another stale-after', async () => {
    const { olgaUsedAt } = await vends();
    const page = await signIn('admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    const review = reviewSection(page);
    await review.getByLabel('Stale after').selectOption('30');
    await review.getByRole('button', { name: 'Review', exact: true }).click();
    const byBinding = await rows(page);
    const olga = byBinding.find((r) => r[1] === 'partner-audit' && r[2] === 'olga');
    expect(olga).toEqual([
      '',
      'partner-audit',
      'olga',
      'arn:aws:iam::222222222222:role/partner-audit',
      olgaUsedAt,
      'In use',
    ]);
    // erin may assume eng-workday too, never did: stale, and marked so.
    const never = byBinding.find((r) => r[1] === 'eng-workday' && r[2] === 'erin');
    expect(never?.[0]).toBe('stale');
    expect(never?.slice(4)).toEqual(['never', 'Stale']);
    await review.getByLabel('Rows by').selectOption('subject');
    const bySubject = await rows(page);
    expect(bySubject.find((r) => r[1] === 'olga')?.slice(2)).toEqual([
      'partner-audit',
      'arn:aws:iam::222222222222:role/partner-audit',
      olgaUsedAt,
      'In use',
    ]);
    expect(bySubject.map((r) => `${r[1]} ${r[2]}`).sort()).toEqual(
      byBinding.map((r) => `${r[2]} ${r[1]}`).sort(),
    );
    // another stale-after choice asks the server again: its answer names the days
    await review.getByLabel('Stale after').selectOption('7');
    await review.getByText(/not used for 7 days/).waitFor();
    expect((await rows(page)).find((r) => r[1] === 'olga')?.slice(4)).toEqual([
      olgaUsedAt,
      'In use',
    ]);
    expect(await accessibilityProblems(page)).toEqual([]);
    await photograph(page, 'admin-review');
    await page.close();
  });

  it('pages through the subjects one at a time with the cursor, forward and back', async () => {
    const page = await signIn('admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    const review = reviewSection(page);
    await review.getByLabel('Subjects per page').fill('1');
    await review.getByRole('button', { name: 'Review', exact: true }).click();
    await review.getByLabel('Rows by').selectOption('subject');
    const seen: string[] = [];
    for (let n = 1; ; n += 1) {
      await review.getByText(`Page ${n}`).waitFor();
      const whoOnPage = new Set((await rows(page)).map((r) => r[1] ?? ''));
      expect(whoOnPage.size).toBe(1);
      seen.push(...whoOnPage);
      const more = review.getByRole('button', { name: 'More subjects' });
      if (await more.isDisabled()) break;
      await more.click();
    }
    expect([...seen].sort()).toEqual(['erin', 'olga']);
    await review.getByRole('button', { name: 'Previous subjects' }).click();
    await review.getByText('Page 1').waitFor();
    expect(new Set((await rows(page)).map((r) => r[1]))).toEqual(new Set([seen[0]]));
    await page.close();
  });

  it("downloads the server's CSV of every page (one subject a page), header once", async () => {
    const page = await signIn('admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    const review = reviewSection(page);
    await review.getByLabel('Rows by').selectOption('subject');
    await review.getByLabel('Subjects per page').fill('1');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      review.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('tessera-access-review.csv');
    const saved = readFileSync((await download.path())!, 'utf8');
    // the same review in one request: the pages joined are the same text
    const server = await (await apiAs('admin')).reviewCsv({
      by: 'subject',
      staleAfterDays: 30,
      limit: 100,
    });
    expect(server.cursor).toBeUndefined();
    expect(saved).toBe(server.text);
    const lines = saved.trimEnd().split('\r\n');
    expect(lines.filter((l) => l === lines[0])).toHaveLength(1);
    expect(lines.some((l) => l.includes('olga') && l.includes('partner-audit'))).toBe(true);
    expect(await textOf(review.getByRole('status'))).toContain('tessera-access-review.csv');
    await page.close();
  });
});

describe('what-if in the binding editor', () => {
  it('previews erin losing eng-readonly when the engineering group is dropped, nothing saved', async () => {
    const page = await signIn('admin');
    const { editor, doc } = await openBinding(page, 'eng-readonly');
    const version = doc['version'];
    doc.trustPolicy.Statement[0]!.Condition = {
      'ForAnyValue:StringEquals': { 'token:cognito:groups': ['platform'] },
    };
    await editor.fill(JSON.stringify(doc, null, 2));
    await page.getByRole('button', { name: 'Preview impact' }).click();
    const impact = page.locator('.binding-impact[data-binding="eng-readonly"]');
    expect(await textOf(impact.locator('h4'))).toBe('eng-readonly (update)');
    expect(await textOf(impact.locator('p'))).toBe('0 gain access, 1 lose access, 0 keep it.');
    const lost = await impact
      .locator('table.impact-loses tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    expect(lost.map((r) => r[0])).toEqual(['erin']);
    expect(lost[0]![2]).toBe(
      'trust policy statement 0: ForAnyValue:StringEquals token:cognito:groups: condition not met' +
        ' — token:cognito:groups has ["engineering"], expected any of ["platform"] for at least' +
        ' one value (ForAnyValue; false when the key is absent)',
    );
    expect(await impact.locator('table.impact-gains').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await photograph(page, 'admin-what-if');
    const stored = await (await apiAs('admin')).getBinding('eng-readonly');
    expect(stored.version).toBe(version);
    await page.close();
  });

  it('previews the removal of eng-readonly: erin loses it, the binding removed', async () => {
    const page = await signIn('admin');
    await openBinding(page, 'eng-readonly');
    await page.getByRole('button', { name: 'Preview removal' }).click();
    const impact = page.locator('.binding-impact[data-binding="eng-readonly"]');
    expect(await textOf(impact.locator('h4'))).toBe('eng-readonly (remove)');
    const lost = impact.locator('table.impact-loses tbody tr');
    expect(await textOf(lost.locator('th'))).toBe('erin');
    expect(await textOf(lost.locator('td').last())).toBe('the binding is removed');
    await page.close();
  });

  it("shows the server's problem with the proposed binding on the editor at its pointer", async () => {
    const page = await signIn('admin');
    const { editor, doc } = await openBinding(page, 'eng-readonly');
    doc['issuer'] = 'https://other.example.com/pool';
    await editor.fill(JSON.stringify(doc, null, 2));
    await page.getByRole('button', { name: 'Preview impact' }).click();
    const finding = page.locator('#findings li[data-pointer="/issuer"]');
    expect(await textOf(finding)).toContain("must be the pool's issuer");
    expect(await textOf(finding)).toContain('(server)');
    const marked = page.locator('pre.preview mark.error[data-pointer="/issuer"]');
    expect(await textOf(marked)).toContain('"issuer": "https://other.example.com/pool"');
    expect(await page.locator('.impact [role="alert"]').count()).toBe(1);
    expect(await page.locator('.binding-impact').count()).toBe(0);
    await page.close();
  });
});
