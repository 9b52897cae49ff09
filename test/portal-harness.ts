/**
 * The harness of the portal's browser tests: the access portal in real Chromium (Debian's, driven by playwright-core) against the local stack
 * (`startStack({ home: tmp, ports: 0 })`), served by the stack at `/` from packages/portal/dist
 * (`npm run build` first). Each main screen is scanned with axe-core (no serious or critical
 * violation) and photographed at desktop and phone size under test/screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { passwordLogin, TesseraApi } from '@tessera/client';
import { type LocalStack, startStack } from '@tessera/local';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(REPO, 'packages/portal/dist/index.html');
const SHOTS = join(REPO, 'test/screenshots');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };

let root: string;
export let stack: LocalStack;
export let browser: BrowserContext;
/** Every browser console line of the signed-in pages. */
export const consoleLines: string[] = [];
/** Every secret the pages were given: tokens and vended credentials. */
export const secrets: string[] = [];

/** Registers the stack and browser of one test file (call at its top level). */
export function usePortalStack(): void {
  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error('packages/portal/dist is missing: run `npm run build`');
    root = mkdtempSync(join(tmpdir(), 'tessera-portal-'));
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack({ home: join(root, 'home'), ports: 0 });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launchPersistentContext(join(root, 'chromium-profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      viewport: DESKTOP,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(stack.info.api).origin,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });
}

export const password = (username: string) =>
  stack.info.users.find((u) => u.username === username)!.password;

/** Signs in through the portal's button and the local hosted login page. */
export async function signIn(username: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => consoleLines.push(m.text()));
  await page.goto(stack.info.api);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/oauth2\/authorize\?/);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password(username));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${stack.info.api}/#/roles`);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

/** axe-core in the page: the serious and critical violations (rule ids and targets). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  // A string: the test's TypeScript has no DOM types; this runs in the page.
  const violations = (await page.evaluate('axe.run().then((r) => r.violations)')) as {
    id: string;
    impact: string;
    nodes: { target: string[] }[];
  }[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Desktop and phone screenshots of the screen as it is now. */
export async function photograph(page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

export async function textOf(locator: Locator): Promise<string> {
  await locator.first().waitFor();
  return (await locator.allTextContents()).join(' ');
}

export async function roleIds(page: Page): Promise<string[]> {
  await page.locator('#role-list').waitFor();
  return (
    await page
      .locator('li.role')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-binding')))
  ).sort() as string[];
}

export async function apiAs(username: string): Promise<TesseraApi> {
  const pool = {
    issuer: stack.info.issuer.url,
    region: stack.info.region,
    clientId: stack.info.issuer.clients.portal!,
    cognitoIdp: stack.info.cognitoIdp,
    tokenUse: 'id' as const,
  };
  const tokens = await passwordLogin(pool, username, password(username));
  return new TesseraApi({ api: stack.info.api, token: async () => tokens.idToken });
}

/** Rewrites the stored session (what only the page itself holds) to age it. */
export async function ageSession(page: Page, change: string): Promise<void> {
  await page.evaluate(
    `(() => { const t = JSON.parse(sessionStorage.getItem('tessera:portal')); ${change}; sessionStorage.setItem('tessera:portal', JSON.stringify(t)); })()`,
  );
}

/** The admin's Admin tab with `id` open in the binding editor; the editor's parsed document. */
export async function openBinding(page: Page, id: string) {
  await page.getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('button', { name: `Edit ${id}` }).click();
  const editor = page.getByLabel('Binding (JSON)');
  await page.getByRole('heading', { name: `Edit ${id}` }).waitFor();
  await page.waitForFunction("document.querySelector('textarea.code')?.value.startsWith('{')");
  const doc = JSON.parse(await editor.inputValue()) as Record<string, unknown> & {
    trustPolicy: {
      Statement: { Effect: string; Condition: Record<string, Record<string, string[]>> }[];
    };
  };
  return { editor, doc };
}
