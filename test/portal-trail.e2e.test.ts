/**
 * "What this session did" in the portal's audit view, in real Chromium against the local stack:
 * alice vends app-upload (the app's client), uploads twice with the JS SDK and is refused once
 * under another prefix; the administrator finds her grant in the audit panel and opens its trail:
 * the three PutObject calls as the local CloudTrail recorded them, allowed and denied, with the
 * object keys, source IP and her SourceIdentity, and what was searched. axe-core on the screen.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { passwordLogin, TesseraApi } from '@tessera/client';
import { describe, expect, it } from 'vitest';
import {
  accessibilityProblems,
  password,
  photograph,
  signIn,
  stack,
  textOf,
  usePortalStack,
} from './portal-harness.js';

usePortalStack();

const BUCKET = 'tessera-local-media';

/** alice's app-upload credentials, as the app gets them (its own client), and her `sub`. */
async function aliceUploads(): Promise<{ accessKeyId: string; sub: string }> {
  const tokens = await passwordLogin(
    {
      issuer: stack.info.issuer.url,
      region: stack.info.region,
      clientId: stack.info.issuer.clients.app!,
      cognitoIdp: stack.info.cognitoIdp,
      tokenUse: 'id',
    },
    'alice',
    password('alice'),
  );
  const api = new TesseraApi({ api: stack.info.api, token: async () => tokens.idToken });
  const { credentials } = await api.credentials({ role: 'app-upload' });
  const sub = JSON.parse(Buffer.from(tokens.idToken.split('.')[1]!, 'base64url').toString()).sub;
  const s3 = new S3Client({
    region: stack.info.region,
    endpoint: stack.info.s3,
    forcePathStyle: true,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
    },
  });
  const put = (Key: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'hi' }));
  await put(`uploads/${sub}/a.txt`);
  await put(`uploads/${sub}/b.txt`);
  await expect(put('uploads/someone-else/c.txt')).rejects.toMatchObject({ name: 'AccessDenied' });
  s3.destroy();
  return { accessKeyId: credentials.accessKeyId, sub };
}

describe('the administrator', () => {
  it("opens what alice's app-upload session did from the audit view", async () => {
    const { accessKeyId, sub } = await aliceUploads();
    const page = await signIn('admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    const panel = page.locator('section', {
      has: page.getByRole('heading', { name: 'Audit events' }),
    });
    await panel.getByLabel('Binding').fill('app-upload');
    await panel.getByLabel('Result').selectOption('grant');
    await panel.getByRole('button', { name: 'Search' }).click();
    const row = panel.locator('table.audit tbody tr', { hasText: accessKeyId });
    await row.getByRole('button', { name: /What this session did/ }).click();
    const trail = panel.locator('section.trail');
    expect(await textOf(trail.locator('h3'))).toBe('What this session did: alice, app-upload');
    expect(await textOf(trail.locator('p.muted'))).toContain(accessKeyId);
    const rows = await trail
      .locator('table.trail-entries tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
      );
    const object = (key: string) => `arn:aws:s3:::${BUCKET}/${key}arn:aws:s3:::${BUCKET}`;
    expect(rows.map((r) => r.slice(1))).toEqual([
      ['Allowed', 's3:PutObject', object(`uploads/${sub}/a.txt`), '127.0.0.1', 'alice'],
      ['Allowed', 's3:PutObject', object(`uploads/${sub}/b.txt`), '127.0.0.1', 'alice'],
      [
        'Denied (AccessDenied)',
        's3:PutObject',
        object('uploads/someone-else/c.txt'),
        '127.0.0.1',
        'alice',
      ],
    ]);
    const notes = await textOf(trail.locator('.trail-notes li'));
    expect(notes).toContain('Searched: management events');
    expect(notes).toContain('Searched: data events');
    expect(await accessibilityProblems(page)).toEqual([]);
    await photograph(page, 'admin-trail');
    await page.close();
  });
});
