/**
 * Admin: "Preview impact" beside the binding editor (POST /v1/admin/what-if) — before saving an
 * edited binding, or removing one, who of the recorded subjects gains and who loses access, each
 * with the decisive condition; nothing is written. The server's problems with the proposed
 * binding come back by JSON Pointer (under `/put/0`) and are shown on the editor.
 */
import {
  type BindingImpact,
  type DecisiveReason,
  type SubjectImpact,
  TesseraApiError,
  type WhatIfAnswer,
  type WhatIfRequest,
} from '@tessera/client';
import type { Context } from '../context.js';
import { h, mount } from '../dom.js';
import type { Finding } from '../validate.js';

/** What the editor lends the preview: its document, the stored id, and where problems go. */
export interface ImpactEditor {
  /** The edited binding when it parses as a JSON object. */
  document(): Record<string, unknown> | undefined;
  /** The id of the stored binding being edited (none for a new one). */
  storedId(): string | undefined;
  /** The server's problems with the proposed binding, pointers relative to the binding. */
  problems(findings: readonly Finding[]): void;
}

/** The two buttons and the answer's place; `reset()` empties it when another binding opens. */
export function impactControls(ctx: Context, editor: ImpactEditor) {
  const out = h('div', { class: 'impact', 'aria-live': 'polite' });
  const preview = h('button', { type: 'button', class: 'secondary' }, 'Preview impact');
  const removal = h('button', { type: 'button', class: 'secondary' }, 'Preview removal');
  preview.addEventListener('click', () => {
    const doc = editor.document();
    if (doc) void run(ctx, { put: [doc] }, out, editor);
    else
      mount(out, h('p', { role: 'alert', class: 'error' }, 'Fix the JSON to preview its impact.'));
  });
  removal.addEventListener('click', () => {
    const id = editor.storedId();
    if (id) void run(ctx, { remove: [id] }, out, editor);
  });
  const reset = () => {
    mount(out);
    removal.hidden = editor.storedId() === undefined;
  };
  // an answer about an earlier text must not stand beside the edited one
  const clear = () => mount(out);
  return { buttons: [preview, removal], out, reset, clear };
}

async function run(
  ctx: Context,
  request: WhatIfRequest,
  out: HTMLElement,
  editor: ImpactEditor,
): Promise<void> {
  mount(out, h('p', { class: 'muted' }, 'Evaluating every recorded subject…'));
  try {
    const answer = await ctx.api.whatIf(request);
    editor.problems([]);
    mount(out, impactSection(answer));
    out.querySelector<HTMLElement>('h3')?.focus();
  } catch (err) {
    mount(out);
    if (err instanceof TesseraApiError && err.issues.length > 0) {
      editor.problems(err.issues.map((i) => editorFinding(i.field, i.message)));
    }
    ctx.fail(out, err);
  }
}

/** `/put/0/trustPolicy/...` names the edited binding's `/trustPolicy/...`. */
export function editorFinding(pointer: string, message: string): Finding {
  const own = /^\/put\/0(?=\/|$)/.exec(pointer);
  const relative = own ? pointer.slice(own[0].length) || '/' : pointer;
  return { pointer: relative, message, source: 'server', severity: 'error' };
}

function impactSection(answer: WhatIfAnswer): HTMLElement {
  return h(
    'section',
    { class: 'what-if', 'aria-labelledby': 'what-if-h' },
    h('h3', { id: 'what-if-h', tabindex: -1 }, 'Impact of this change (nothing saved)'),
    h(
      'p',
      { class: 'muted' },
      `${answer.subjectsEvaluated} recorded subjects evaluated at ${answer.evaluatedAt}.`,
      answer.complete
        ? ''
        : ' The pool has more subjects than one preview evaluates: counts are partial.',
    ),
    answer.bindings.map(bindingImpact),
  );
}

function bindingImpact(b: BindingImpact): HTMLElement {
  const role =
    b.roleArn.before !== b.roleArn.after
      ? `Role ${b.roleArn.before ?? '(none)'} → ${b.roleArn.after ?? '(none)'}. `
      : '';
  return h(
    'div',
    { class: 'binding-impact', 'data-binding': b.bindingId },
    h('h4', {}, `${b.bindingId} (${b.change})`),
    h(
      'p',
      {},
      `${role}${b.gainCount} gain access, ${b.loseCount} lose access, ${b.keeps} keep it.`,
    ),
    side('Loses access', 'loses', b.loses, b.loseCount),
    side('Gains access', 'gains', b.gains, b.gainCount),
  );
}

function side(
  title: string,
  kind: 'gains' | 'loses',
  subjects: readonly SubjectImpact[],
  count: number,
): HTMLElement | null {
  if (count === 0) return null;
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: `audit impact-${kind}` },
      h(
        'caption',
        {},
        subjects.length < count ? `${title} (first ${subjects.length} of ${count})` : title,
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Who', 'Last seen', 'Decisive condition'].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        subjects.map((s) =>
          h(
            'tr',
            { 'data-subject': s.subject },
            h('th', { scope: 'row' }, s.username ?? s.sub),
            h('td', {}, s.lastSeenAt, s.approximate ? ' (approximate: claims left out)' : ''),
            h(
              'td',
              {},
              h(
                'ul',
                { class: 'reasons' },
                s.reasons.map((r) => h('li', {}, reasonText(r))),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/** A decisive reason in words: where (statement), what (key, operator), and the code. */
export function reasonText(r: DecisiveReason): string {
  const where =
    r.statement !== undefined
      ? `${r.policy ?? 'trust'} policy statement ${r.sid ?? r.statement}: `
      : '';
  const what = r.key ? `${`${r.operator ?? ''} ${r.key}`.trim()}: ` : '';
  const detail = r.detail ? ` — ${r.detail}` : '';
  return `${where}${what}${WORDS[r.code] ?? r.code}${detail}`;
}

const WORDS: Readonly<Record<string, string>> = {
  ConditionMet: 'condition met',
  ConditionNotMet: 'condition not met',
  ExplicitDeny: 'denies explicitly',
  BindingRemoved: 'the binding is removed',
  BindingDisabled: 'the binding is disabled',
  ClaimMissing: 'a required claim is missing',
};
