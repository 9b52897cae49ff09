/**
 * Admin: recent audit events, filtered by subject, binding, role, result and time; paged by cursor.
 * A grant that vended credentials offers "What this session did" (its CloudTrail trail, trail.ts).
 */
import type { AuditEventSummary, AuditQuery } from '@tessera/client';
import type { Context } from '../context.js';
import { field, h, mount } from '../dom.js';
import { showTrail } from './trail.js';

const PAGE = 25;

export function auditPanel(ctx: Context): HTMLElement {
  const subject = h('input', { type: 'text', autocomplete: 'off' });
  const binding = h('input', { type: 'text', autocomplete: 'off' });
  const roleArn = h('input', { type: 'text', autocomplete: 'off' });
  const result = h(
    'select',
    {},
    ['', 'grant', 'deny', 'error'].map((r) => h('option', { value: r }, r || 'Any')),
  );
  const since = h('input', { type: 'datetime-local' });
  const until = h('input', { type: 'datetime-local' });
  const out = h('div', { 'aria-live': 'polite' });
  const detail = h('div', { 'aria-live': 'polite' });
  const follow = (eventId: string) => void showTrail(ctx, eventId, detail);
  const cursors: (string | undefined)[] = [undefined];
  const query = (): AuditQuery => ({
    ...(subject.value ? { subject: subject.value } : {}),
    ...(binding.value ? { binding: binding.value } : {}),
    ...(roleArn.value ? { roleArn: roleArn.value } : {}),
    ...(result.value ? { result: result.value as AuditQuery['result'] } : {}),
    ...(since.value ? { from: new Date(since.value).toISOString() } : {}),
    ...(until.value ? { to: new Date(until.value).toISOString() } : {}),
    limit: PAGE,
  });
  const load = async (page: number) => {
    mount(out, h('p', { class: 'muted' }, 'Loading events…'));
    try {
      const answer = await ctx.api.audit({
        ...query(),
        ...(cursors[page] ? { cursor: cursors[page] } : {}),
      });
      cursors[page + 1] = answer.cursor;
      cursors.length = page + 2;
      mount(out, table(answer.events, follow), pager(page, answer.cursor !== undefined, load));
      mount(detail);
    } catch (err) {
      mount(out);
      ctx.fail(out, err);
    }
  };
  const form = h(
    'form',
    { class: 'filters' },
    field('Subject', subject, 'issuer|sub, as audit events name a caller'),
    field('Binding', binding),
    field('Role ARN', roleArn),
    field('Result', result),
    field('Since', since),
    field('Until', until),
    h('button', { type: 'submit' }, 'Search'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    cursors.length = 1;
    void load(0);
  });
  return h(
    'section',
    { 'aria-labelledby': 'audit-h' },
    h('h2', { id: 'audit-h' }, 'Audit events'),
    form,
    out,
    detail,
  );
}

function cell(e: AuditEventSummary, key: string): string {
  const v = e[key];
  return v === undefined || v === null ? '' : String(v);
}

/** The trail button of a grant that vended credentials (nothing to follow otherwise). */
function trailButton(e: AuditEventSummary, follow: (eventId: string) => void): HTMLElement | null {
  if (e.result !== 'grant' || !e.accessKeyId) return null;
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'aria-label': `What this session did: ${cell(e, 'username') || e.subject}, ${cell(e, 'at')}`,
      onclick: (() => follow(e.eventId)) as EventListener,
    },
    'What this session did',
  );
}

function table(
  events: readonly AuditEventSummary[],
  follow: (eventId: string) => void,
): HTMLElement {
  if (events.length === 0) return h('p', {}, 'No event matches.');
  const cols: [string, string][] = [
    ['at', 'Time'],
    ['username', 'User'],
    ['action', 'Action'],
    ['bindingId', 'Binding'],
    ['result', 'Result'],
    ['reason', 'Reason'],
    ['accessKeyId', 'Access key'],
  ];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'audit' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          cols.map(([, label]) => h('th', { scope: 'col' }, label)),
          h('th', { scope: 'col' }, 'Trail'),
        ),
      ),
      h(
        'tbody',
        {},
        events.map((e) =>
          h(
            'tr',
            { 'data-event': e.eventId },
            cols.map(([k]) => h('td', {}, cell(e, k))),
            h('td', {}, trailButton(e, follow)),
          ),
        ),
      ),
    ),
  );
}

function pager(page: number, more: boolean, load: (page: number) => Promise<void>): HTMLElement {
  const prev = h('button', { type: 'button', class: 'secondary', disabled: page === 0 }, 'Newer');
  const next = h('button', { type: 'button', class: 'secondary', disabled: !more }, 'Older');
  prev.addEventListener('click', () => void load(page - 1));
  next.addEventListener('click', () => void load(page + 1));
  return h(
    'div',
    { class: 'actions' },
    prev,
    h('span', { class: 'muted' }, `Page ${page + 1}`),
    next,
  );
}
