/** Admin: simulate any user — a role and made-up claims; the decision, reasons and the trace. */
import type { Context } from '../context.js';
import { field, h, mount } from '../dom.js';
import { explain } from '../explain.js';

export function simulatePanel(ctx: Context): HTMLElement {
  const role = h('input', {
    type: 'text',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const claims = h('textarea', {
    rows: 5,
    class: 'code',
    spellcheck: 'false',
    value: '{\n  "cognito:groups": ["engineering"]\n}',
  });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {},
    field('Role id', role),
    field('Claims (JSON object; empty: your own token)', claims),
    h('button', { type: 'submit' }, 'Simulate'),
    out,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed =
        claims.value.trim() === ''
          ? undefined
          : (JSON.parse(claims.value) as Record<string, unknown>);
    } catch (err) {
      mount(
        out,
        h(
          'p',
          { role: 'alert', class: 'error' },
          `Claims are not valid JSON: ${(err as Error).message}`,
        ),
      );
      return;
    }
    mount(out, h('p', { class: 'muted' }, 'Simulating…'));
    try {
      const answer = await ctx.api.simulate({
        role: role.value.trim(),
        ...(parsed ? { claims: parsed } : {}),
      });
      const e = explain(role.value.trim(), answer);
      mount(
        out,
        h('h3', { class: e.allowed ? 'ok' : 'refused' }, e.allowed ? 'Allowed' : 'Refused'),
        h(
          'ul',
          { class: 'reasons' },
          e.lines.map((l) => h('li', {}, l)),
        ),
        answer.trace
          ? h(
              'details',
              {},
              h('summary', {}, 'Evaluator trace'),
              h('pre', { class: 'code' }, JSON.stringify(answer.trace, null, 2)),
            )
          : null,
      );
    } catch (err) {
      mount(out);
      ctx.fail(out, err);
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'sim-h' },
    h('h2', { id: 'sim-h' }, 'Simulate a request'),
    form,
  );
}
