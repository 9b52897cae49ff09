/**
 * Admin: "What this session did" — one grant's trail (GET /v1/audit/{eventId}/trail): each call
 * made with the credentials it vended, as CloudTrail recorded it (when, allowed or denied, what,
 * on which resource, from where, who), then what was searched and what could not be.
 */
import type { EventTrailAnswer, GrantTrail, TrailEntry } from '@tessera/client';
import type { Context } from '../context.js';
import { h, mount } from '../dom.js';

/** Loads the trail of `eventId` into `into`, focusing its heading when it is there. */
export async function showTrail(ctx: Context, eventId: string, into: HTMLElement): Promise<void> {
  mount(into, h('p', { class: 'muted' }, 'Searching CloudTrail…'));
  try {
    const answer = await ctx.api.eventTrail(eventId);
    mount(into, trailSection(answer));
    into.querySelector<HTMLElement>('h3')?.focus();
  } catch (err) {
    mount(into);
    ctx.fail(into, err);
  }
}

function trailSection({ event, trail }: EventTrailAnswer): HTMLElement {
  const who = String(event['username'] ?? event.subject);
  return h(
    'section',
    { class: 'trail', 'aria-labelledby': `trail-${event.eventId}` },
    h(
      'h3',
      { id: `trail-${event.eventId}`, tabindex: -1 },
      `What this session did: ${who}, ${String(event['bindingId'] ?? '')}`,
    ),
    h(
      'p',
      { class: 'muted' },
      trail.lookup
        ? `Access key ${trail.lookup.accessKeyId} in account ${trail.lookup.accountId}, ${trail.lookup.from} to ${trail.lookup.to}`
        : 'This event vended no credentials: there is nothing to follow.',
    ),
    trail.lookup ? entriesTable(trail.entries) : null,
    notes(trail),
  );
}

function entriesTable(entries: readonly TrailEntry[]): HTMLElement {
  if (entries.length === 0) return h('p', {}, 'No call found with these credentials.');
  const head = ['Time', 'Result', 'What', 'Resource', 'From', 'Who'];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'audit trail-entries' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          head.map((label) => h('th', { scope: 'col' }, label)),
        ),
      ),
      h(
        'tbody',
        {},
        entries.map((e) =>
          h(
            'tr',
            { 'data-trail-event': e.eventId, class: e.result },
            h('td', {}, e.time),
            h('td', {}, e.result === 'denied' ? `Denied (${e.errorCode ?? ''})` : 'Allowed'),
            h('td', {}, e.action),
            h(
              'td',
              {},
              e.resources.map((r) => h('div', {}, r)),
            ),
            h('td', {}, e.sourceIp ?? ''),
            h('td', {}, e.sourceIdentity ?? e.who ?? ''),
          ),
        ),
      ),
    ),
  );
}

function notes(trail: GrantTrail): HTMLElement {
  const items = [
    ...trail.coverage.map(
      (c) => `${c.searched ? 'Searched' : 'Not searched'}: ${c.events} events. ${c.detail}.`,
    ),
    ...trail.notSearched.map(
      (n) => `Account ${n.accountId} could not be searched (${n.reason}): ${n.detail}.`,
    ),
    ...(trail.truncated ? ['More calls were made than one search reads: the list is cut.'] : []),
  ];
  return h(
    'ul',
    { class: 'muted trail-notes' },
    items.map((text) => h('li', {}, text)),
  );
}
