/**
 * "Why can't I?": the caller names a role (or arrives from a request link, `#/why/<role>`) and
 * reads the simulate explanation in plain words.
 */
import type { Context } from '../context.js';
import { field, h, mount } from '../dom.js';
import { explain } from '../explain.js';

export function whyView(main: HTMLElement, ctx: Context, preset: string | undefined): void {
  const role = h('input', {
    type: 'text',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
    value: preset ?? '',
  });
  const out = h('div', { class: 'explanation', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'inline-form' },
    field(
      'Role id',
      role,
      'The role id from a request link or your administrator, e.g. partner-audit',
    ),
    h('button', { type: 'submit' }, 'Explain'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run(role.value.trim(), out, ctx);
  });
  mount(
    main,
    h('h1', {}, 'Why can’t I use a role?'),
    h(
      'p',
      { class: 'muted' },
      'A dry run of your request: nothing is granted and nothing is logged as a grant.',
    ),
    form,
    out,
  );
  if (preset) void run(preset, out, ctx);
}

async function run(role: string, out: HTMLElement, ctx: Context): Promise<void> {
  if (role === '') return;
  mount(out, h('p', { class: 'muted' }, 'Checking…'));
  try {
    const e = explain(role, await ctx.api.simulate({ role }));
    mount(
      out,
      h('h2', { class: e.allowed ? 'ok' : 'refused' }, e.headline),
      h(
        'ul',
        { class: 'reasons' },
        e.lines.map((l) => h('li', {}, l)),
      ),
    );
  } catch (err) {
    mount(out);
    ctx.fail(out, err);
  }
}
