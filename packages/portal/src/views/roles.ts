/**
 * Job 3: every role the caller may use, grouped by account (name and id), searchable and
 * filterable; per role a console link, CLI credentials with a duration chooser, and the limits.
 */
import type { AccountRoles, RoleEntry, VendAnswer } from '@tessera/client';
import type { Context } from '../context.js';
import { copyButton, duration, field, h, mount, uid } from '../dom.js';

/** STS's shortest session. */
const MIN_SECONDS = 900;

export async function rolesView(main: HTMLElement, ctx: Context): Promise<void> {
  mount(main, h('h1', {}, 'Your AWS access'), h('p', { class: 'muted' }, 'Loading your roles…'));
  let accounts: readonly AccountRoles[];
  try {
    accounts = (await ctx.api.roles()).accounts;
  } catch (err) {
    mount(main, h('h1', {}, 'Your AWS access'));
    ctx.fail(main, err);
    return;
  }
  const search = h('input', { type: 'search', autocomplete: 'off' });
  const account = h(
    'select',
    {},
    h('option', { value: '' }, 'All accounts'),
    accounts.map((a) => h('option', { value: a.accountId }, accountLabel(a))),
  );
  const list = h('div', { id: 'role-list' });
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  const render = () => renderAccounts(list, count, accounts, search.value, account.value, ctx);
  search.addEventListener('input', render);
  account.addEventListener('change', render);
  mount(
    main,
    h('h1', {}, 'Your AWS access'),
    h(
      'div',
      { class: 'filters', role: 'search' },
      field('Search roles', search, 'By account, role or description'),
      field('Account', account),
    ),
    count,
    list,
  );
  render();
}

function accountLabel(a: AccountRoles): string {
  return a.accountName ? `${a.accountName} (${a.accountId})` : a.accountId;
}

function matches(a: AccountRoles, r: RoleEntry, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  return [a.accountId, a.accountName ?? '', r.roleName, r.bindingId, r.description ?? '']
    .join(' ')
    .toLowerCase()
    .includes(q);
}

function renderAccounts(
  list: HTMLElement,
  count: HTMLElement,
  accounts: readonly AccountRoles[],
  query: string,
  accountId: string,
  ctx: Context,
): void {
  const shown = accounts
    .filter((a) => accountId === '' || a.accountId === accountId)
    .map((a) => ({ account: a, roles: a.roles.filter((r) => matches(a, r, query)) }))
    .filter((g) => g.roles.length > 0);
  const total = shown.reduce((n, g) => n + g.roles.length, 0);
  count.textContent =
    accounts.length === 0
      ? 'No role is offered to you. Ask your administrator, or see "Why can’t I?".'
      : `${total} role${total === 1 ? '' : 's'} in ${shown.length} account${shown.length === 1 ? '' : 's'}`;
  mount(
    list,
    shown.map((g) => {
      const headingId = uid('account');
      return h(
        'section',
        { class: 'account', 'aria-labelledby': headingId, 'data-account': g.account.accountId },
        h(
          'h2',
          { id: headingId },
          g.account.accountName ?? g.account.accountId,
          g.account.accountName ? ' ' : null,
          g.account.accountName
            ? h('span', { class: 'muted account-id' }, g.account.accountId)
            : null,
        ),
        h(
          'ul',
          { class: 'roles' },
          g.roles.map((r) => roleItem(r, ctx)),
        ),
      );
    }),
  );
}

function roleItem(role: RoleEntry, ctx: Context): HTMLElement {
  const panel = h('div', { class: 'panel', hidden: true, id: uid('cli') });
  const consoleStatus = h('div', { class: 'inline-status' });
  const cliButton = h(
    'button',
    { type: 'button', 'aria-expanded': 'false', 'aria-controls': panel.id },
    'CLI credentials',
  );
  cliButton.addEventListener('click', () => {
    const open = panel.hidden;
    panel.hidden = !open;
    cliButton.setAttribute('aria-expanded', String(open));
    if (open) mount(panel, credentialsForm(role, ctx));
    else mount(panel); // forget the shown secrets
  });
  const consoleButton = h('button', { type: 'button' }, 'Console');
  consoleButton.addEventListener('click', () => openConsole(role, consoleStatus, ctx));
  return h(
    'li',
    { class: 'role', 'data-binding': role.bindingId },
    h(
      'div',
      { class: 'role-head' },
      h(
        'div',
        {},
        h('h3', {}, role.roleName),
        h('p', { class: 'muted' }, role.description || role.roleArn),
        h(
          'p',
          { class: 'limits' },
          `Role id ${role.bindingId} · up to ${duration(role.maxDurationSeconds)}`,
        ),
      ),
      h('div', { class: 'actions' }, consoleButton, cliButton),
    ),
    consoleStatus,
    panel,
  );
}

/** Opens the tab first (a click may open one), then points it at the sign-in link. */
async function openConsole(role: RoleEntry, status: HTMLElement, ctx: Context): Promise<void> {
  const tab = window.open('', '_blank');
  mount(status, 'Opening the console…');
  try {
    const answer = await ctx.api.console({ role: role.bindingId });
    if (tab) {
      tab.opener = null;
      tab.location.href = answer.url;
    }
    mount(
      status,
      tab
        ? `Console opened in a new tab (session until ${new Date(answer.expiresAt).toLocaleTimeString()}).`
        : h(
            'a',
            { href: answer.url, target: '_blank', rel: 'noopener noreferrer' },
            'Open the console',
          ),
    );
  } catch (err) {
    tab?.close();
    mount(status);
    ctx.fail(status, err);
  }
}

function durationChoices(role: RoleEntry): number[] {
  const max = Math.max(MIN_SECONDS, role.maxDurationSeconds);
  const steps = [900, 1800, 3600, 7200, 14_400, 28_800, 43_200].filter((s) => s < max);
  return [...new Set([...steps, role.defaultDurationSeconds, max])]
    .filter((s) => s >= MIN_SECONDS && s <= max)
    .sort((a, b) => a - b);
}

function credentialsForm(role: RoleEntry, ctx: Context): HTMLElement {
  const select = h(
    'select',
    {},
    durationChoices(role).map((s) =>
      h('option', { value: s, selected: s === role.defaultDurationSeconds }, duration(s)),
    ),
  );
  const out = h('div', { class: 'credentials' });
  const form = h(
    'form',
    { class: 'inline-form' },
    field('Session length', select, `From 15 min up to ${duration(role.maxDurationSeconds)}`),
    h('button', { type: 'submit' }, 'Get credentials'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    mount(out, h('p', { class: 'muted' }, 'Asking for credentials…'));
    try {
      const answer = await ctx.api.credentials({
        role: role.bindingId,
        durationSeconds: Number(select.value),
      });
      mount(out, credentialsBlock(role, answer, ctx));
    } catch (err) {
      mount(out);
      ctx.fail(out, err);
    }
  });
  return h('div', {}, form, out);
}

function credentialsBlock(role: RoleEntry, answer: VendAnswer, ctx: Context): HTMLElement {
  const c = answer.credentials;
  const exports = [
    `export AWS_ACCESS_KEY_ID=${c.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}`,
    `export AWS_SESSION_TOKEN=${c.sessionToken}`,
  ].join('\n');
  const profile = [
    `[profile ${role.bindingId}]`,
    `credential_process = tessera credentials --role ${role.bindingId}`,
  ].join('\n');
  const configure = 'tessera login && tessera configure';
  const expires = new Date(c.expiration);
  return h(
    'div',
    {},
    h(
      'p',
      {},
      `Valid until ${expires.toLocaleString()} (${duration(answer.durationSeconds)}`,
      answer.clampedBy !== 'none' ? `, limited by ${answer.clampedBy}` : '',
      `). Recorded as ${answer.sourceIdentity}.`,
    ),
    snippet('Environment variables', 'Copy the exports', exports, 'export-block', ctx),
    snippet(
      'AWS CLI profile (credential_process)',
      'Copy the profile',
      profile,
      'profile-block',
      ctx,
    ),
    snippet(
      'Or let the CLI write every profile',
      'Copy the command',
      configure,
      'configure-block',
      ctx,
    ),
  );
}

function snippet(
  title: string,
  copyLabel: string,
  text: string,
  cls: string,
  ctx: Context,
): HTMLElement {
  const id = uid('snippet');
  return h(
    'div',
    { class: `snippet ${cls}` },
    h(
      'div',
      { class: 'snippet-head' },
      h('h4', { id }, title),
      copyButton(copyLabel, () => text, ctx.announce),
    ),
    h('pre', { 'aria-labelledby': id, tabindex: 0 }, h('code', {}, text)),
  );
}
