/**
 * The admin tab (admin group only; the API enforces it too): the bindings of the pool, a JSON
 * editor checked live against the binding schema and by the server on save (If-Match, a clear
 * conflict message) with "Preview impact" (what-if, what-if.ts), the kill switch (revocations:
 * revoke, list, lift), a simulate panel with any claims, the access review (review.ts), and recent
 * audit events.
 */
import { type StoredBinding, TesseraApiError } from '@tessera/client';
import type { Context } from '../context.js';
import { field, h, mount, uid } from '../dom.js';
import { checkText, type Finding, formatWithPointers, lineFor } from '../validate.js';
import { auditPanel } from './audit.js';
import { reviewPanel } from './review.js';
import { revocationsPanel } from './revocations.js';
import { simulatePanel } from './simulate.js';
import { impactControls } from './what-if.js';

export async function adminView(main: HTMLElement, ctx: Context): Promise<void> {
  const list = h('div', { id: 'binding-list' });
  const editor = bindingEditor(ctx, () => void loadList(list, ctx, editor.open));
  mount(
    main,
    h('h1', {}, 'Administration'),
    h(
      'section',
      { 'aria-labelledby': 'bindings-h' },
      h('h2', { id: 'bindings-h' }, 'Bindings'),
      list,
    ),
    editor.element,
    revocationsPanel(ctx),
    simulatePanel(ctx),
    reviewPanel(ctx),
    auditPanel(ctx),
  );
  await loadList(list, ctx, editor.open);
}

async function loadList(
  list: HTMLElement,
  ctx: Context,
  open: (id: string | undefined) => void,
): Promise<void> {
  let bindings: readonly StoredBinding[];
  try {
    bindings = (await ctx.api.listBindings()).bindings;
  } catch (err) {
    mount(list);
    ctx.fail(list, err);
    return;
  }
  const newButton = h('button', { type: 'button', class: 'secondary' }, 'New binding');
  newButton.addEventListener('click', () => open(undefined));
  mount(
    list,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'bindings' },
        h('caption', { class: 'muted' }, `${bindings.length} bindings in this pool`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Id', 'Role', 'Enabled', 'Version', 'Actions'].map((c) =>
              h('th', { scope: 'col', class: c === 'Role' ? 'arn' : null }, c),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          bindings.map((b) => {
            const edit = h('button', { type: 'button', 'aria-label': `Edit ${b.id}` }, 'Edit');
            edit.addEventListener('click', () => open(b.id));
            return h(
              'tr',
              {},
              h('th', { scope: 'row' }, b.id),
              h('td', { class: 'arn' }, b.roleArn),
              h('td', {}, b['enabled'] === false ? 'no' : 'yes'),
              h('td', {}, String(b.version)),
              h('td', {}, edit),
            );
          }),
        ),
      ),
    ),
    newButton,
  );
}

interface Editing {
  id: string | undefined;
  version: number | undefined;
  server: readonly Finding[];
}

function bindingEditor(ctx: Context, saved: () => void) {
  const state: Editing = { id: undefined, version: undefined, server: [] };
  const heading = h('h2', { id: 'editor-h' }, 'Edit a binding');
  const text = h('textarea', {
    rows: 18,
    spellcheck: 'false',
    class: 'code',
    'aria-describedby': 'findings',
  });
  const findings = h('div', { id: 'findings', 'aria-live': 'polite' });
  const preview = h('pre', {
    class: 'preview',
    'aria-label': 'The binding with its problems highlighted',
    tabindex: 0,
  });
  const result = h('div', { class: 'save-result' });
  const save = h('button', { type: 'submit' }, 'Save');
  const impact = impactControls(ctx, {
    document: () => {
      const checked = checkText(text.value);
      return checked.ok ? checked.value : undefined;
    },
    storedId: () => state.id,
    problems: (found) => {
      state.server = found;
      refresh();
    },
  });
  const form = h(
    'form',
    { class: 'editor', hidden: true },
    field(
      'Binding (JSON)',
      text,
      'Checked as you type against the binding schema; the server checks again on save.',
    ),
    findings,
    h('h3', {}, 'Problems in place'),
    preview,
    h('div', { class: 'actions' }, save, impact.buttons),
    result,
    impact.out,
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refresh = () => showFindings(text.value, state.server, findings, preview, save);
  text.addEventListener('input', () => {
    state.server = [];
    impact.clear();
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit(ctx, state, text, result, refresh, saved);
  });
  const open = async (id: string | undefined) => {
    form.hidden = false;
    mount(result);
    state.server = [];
    heading.textContent = id ? `Edit ${id}` : 'New binding';
    try {
      const loaded = id ? await ctx.api.getBinding(id) : undefined;
      state.id = id;
      state.version = loaded?.version;
      text.value = JSON.stringify(loaded?.binding ?? template(), null, 2);
    } catch (err) {
      ctx.fail(result, err);
    }
    impact.reset();
    refresh();
    text.focus();
  };
  const element = h('section', { 'aria-labelledby': 'editor-h' }, heading, form);
  return { element, open: (id: string | undefined) => void open(id) };
}

function template(): Record<string, unknown> {
  return {
    id: 'new-binding',
    issuer: '',
    roleArn: 'arn:aws:iam::111111111111:role/',
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }],
    },
    externalId: null,
    roleMaxSessionDuration: 3600,
  };
}

function showFindings(
  text: string,
  server: readonly Finding[],
  out: HTMLElement,
  preview: HTMLElement,
  save: HTMLButtonElement,
): void {
  const checked = checkText(text);
  const all = [...checked.findings, ...server];
  const errors = all.filter((f) => f.severity === 'error');
  save.disabled = !checked.ok || checked.findings.length > 0;
  mount(
    out,
    all.length === 0
      ? h('p', { class: 'ok' }, 'No problem found by the schema.')
      : h(
          'div',
          { role: errors.length ? 'alert' : null },
          h(
            'p',
            {},
            `${errors.length} problem${errors.length === 1 ? '' : 's'}${all.length > errors.length ? `, ${all.length - errors.length} warning(s)` : ''}:`,
          ),
          h(
            'ul',
            { class: 'findings' },
            all.map((f) =>
              h(
                'li',
                { class: f.severity, 'data-pointer': f.pointer },
                h('code', {}, f.pointer || '(document)'),
                ` ${f.message}`,
                f.source === 'server' ? h('span', { class: 'muted' }, ' (server)') : null,
              ),
            ),
          ),
        ),
  );
  if (!checked.ok) {
    mount(preview, text);
    return;
  }
  const { lines, lineOf } = formatWithPointers(checked.value);
  const marked = new Map<number, Finding[]>();
  for (const f of all) {
    const line = lineFor(f.pointer, lineOf);
    marked.set(line, [...(marked.get(line) ?? []), f]);
  }
  mount(
    preview,
    // the newline stays outside the (block-like) mark, or the next line would hide behind it
    lines.flatMap((line, i) => {
      const at = marked.get(i);
      return at ? [mark(line, at), '\n'] : [`${line}\n`];
    }),
  );
}

function mark(line: string, at: readonly Finding[]): HTMLElement {
  return h(
    'mark',
    {
      'data-pointer': at.map((f) => f.pointer).join(' '),
      class: at.some((f) => f.severity === 'error') ? 'error' : 'warning',
      title: at.map((f) => f.message).join('; '),
    },
    line,
  );
}

async function submit(
  ctx: Context,
  state: Editing,
  text: HTMLTextAreaElement,
  result: HTMLElement,
  refresh: () => void,
  saved: () => void,
): Promise<void> {
  const checked = checkText(text.value);
  if (!checked.ok) return;
  const id = String(checked.value['id'] ?? state.id ?? '');
  mount(result, h('p', { class: 'muted' }, 'Saving…'));
  try {
    const answer = await ctx.api.putBinding(
      id,
      checked.value,
      state.id === id ? state.version : undefined,
    );
    state.id = id;
    state.version = answer.binding.version;
    state.server = answer.warnings.map((w) => ({
      pointer: w.path ?? w.field ?? '',
      message: w.message,
      source: 'server' as const,
      severity: 'warning' as const,
    }));
    text.value = JSON.stringify(answer.binding, null, 2);
    refresh();
    mount(
      result,
      h('p', { class: 'ok', role: 'status' }, `Saved ${id}: version ${answer.binding.version}.`),
    );
    ctx.announce(`Saved ${id}`);
    saved();
  } catch (err) {
    mount(result);
    if (err instanceof TesseraApiError && err.issues.length > 0) {
      state.server = err.issues.map((i) => ({
        pointer: i.field,
        message: i.message,
        source: 'server' as const,
        severity: 'error' as const,
      }));
      refresh();
    }
    ctx.fail(result, err);
    if (err instanceof TesseraApiError && err.code === 'BindingVersionConflict') {
      const reload = h(
        'button',
        { type: 'button', id: uid('reload') },
        'Reload the stored binding',
      );
      reload.addEventListener('click', async () => {
        const fresh = await ctx.api.getBinding(id);
        state.version = fresh.version;
        text.value = JSON.stringify(fresh.binding, null, 2);
        state.server = [];
        refresh();
        mount(result, h('p', {}, `Reloaded version ${fresh.version}. Apply your change again.`));
      });
      result.append(reload);
    }
  }
}
