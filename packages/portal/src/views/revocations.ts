/**
 * Admin: the kill switch. Revoke a person (no new vend; the sessions they hold denied through the
 * target roles' managed policy), see the pool's revocations, lift one. The API checks everything;
 * its problems are shown as they come.
 */
import type { Revocation, RevocationWriteAnswer } from '@tessera/client';
import type { Context } from '../context.js';
import { field, h, mount } from '../dom.js';

export function revocationsPanel(ctx: Context): HTMLElement {
  const username = h('input', { type: 'text', autocomplete: 'off', name: 'username' });
  const subject = h('input', { type: 'text', autocomplete: 'off', name: 'subject' });
  const reason = h('input', { type: 'text', autocomplete: 'off', name: 'reason', required: true });
  const until = h('input', { type: 'datetime-local', name: 'until' });
  const outcome = h('div', { 'aria-live': 'polite', id: 'revocation-outcome' });
  const list = h('div', { id: 'revocation-list' });
  const reload = () => void loadList(list, ctx, outcome);
  const form = h(
    'form',
    { class: 'filters', id: 'revoke-form' },
    field('Username', username),
    field('Subject (sub)', subject, 'name the username, the sub, or both'),
    field('Reason', reason),
    field('Until', until, 'optional: new vends allowed again after this time'),
    h('button', { type: 'submit', class: 'danger' }, 'Revoke'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      mount(outcome, h('p', { class: 'muted' }, 'Revoking…'));
      try {
        const answer = await ctx.api.revoke({
          reason: reason.value,
          ...(username.value ? { username: username.value } : {}),
          ...(subject.value ? { subject: subject.value } : {}),
          ...(until.value ? { until: new Date(until.value).toISOString() } : {}),
        });
        mount(outcome, written(answer, 'Revoked'));
        reload();
      } catch (err) {
        mount(outcome);
        ctx.fail(outcome, err);
      }
    })();
  });
  reload();
  return h(
    'section',
    { 'aria-labelledby': 'revocations-h' },
    h('h2', { id: 'revocations-h' }, 'Revocations (kill switch)'),
    form,
    outcome,
    list,
  );
}

/** What a write did: who, how long until every function sees it, each role's policy. */
function written(answer: RevocationWriteAnswer, verb: string): HTMLElement {
  const r = answer.revocation;
  const notUpdated = answer.accountsNotUpdated;
  return h(
    'div',
    { class: notUpdated.length > 0 ? 'notice warning' : 'notice' },
    h(
      'p',
      {},
      `${verb} ${r.username ?? r.subject ?? ''}: every warm function sees it within ${answer.propagation.maxDelaySeconds} s.`,
    ),
    h(
      'ul',
      {},
      answer.roles.map((role) =>
        h(
          'li',
          { class: 'arn' },
          `${answer.policyName} on ${role.roleArn}: ${role.result === 'failed' ? `not updated (${role.fault})` : role.result}`,
        ),
      ),
    ),
    notUpdated.length > 0 ? h('p', {}, `Accounts not updated: ${notUpdated.join(', ')}`) : null,
  );
}

async function loadList(list: HTMLElement, ctx: Context, outcome: HTMLElement): Promise<void> {
  let revocations: readonly Revocation[];
  try {
    revocations = (await ctx.api.listRevocations()).revocations;
  } catch (err) {
    mount(list);
    ctx.fail(list, err);
    return;
  }
  if (revocations.length === 0) {
    mount(list, h('p', { class: 'muted' }, 'Nobody is revoked.'));
    return;
  }
  const lift = (r: Revocation) => {
    const button = h(
      'button',
      { type: 'button', class: 'secondary', 'aria-label': `Lift ${r.username ?? r.subject}` },
      'Lift',
    );
    button.addEventListener('click', () => {
      void (async () => {
        try {
          mount(outcome, written(await ctx.api.liftRevocation(r.id), 'Lifted'));
          await loadList(list, ctx, outcome);
        } catch (err) {
          ctx.fail(outcome, err);
        }
      })();
    });
    return button;
  };
  const cols = ['Username', 'Subject', 'State', 'Revoked', 'Until / lifted', 'Reason', 'Actions'];
  mount(
    list,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'revocations' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            cols.map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          revocations.map((r) =>
            h(
              'tr',
              { 'data-revocation': r.id, 'data-state': r.state },
              h('td', {}, r.username ?? ''),
              h('td', {}, r.subject ?? ''),
              h('td', {}, r.state),
              h('td', {}, r.revokedAt),
              h('td', {}, r.liftedAt ?? r.until ?? ''),
              h('td', {}, r.reason),
              h('td', {}, r.state === 'active' ? lift(r) : ''),
            ),
          ),
        ),
      ),
    ),
  );
}
