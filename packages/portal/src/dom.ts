/** A small DOM builder: elements with attributes, listeners and children, nothing else. */
type Child = Node | string | number | null | undefined | false;
type Attr = string | number | boolean | null | undefined | EventListener;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, Attr>> = {},
  ...children: (Child | readonly Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'value') (el as HTMLInputElement).value = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: readonly (Child | readonly Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function mount(el: Element, ...children: (Child | readonly Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

let ids = 0;
/** A page-unique id for label/aria wiring. */
export function uid(prefix: string): string {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled control: `<label for>` + the control, wrapped for layout. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  control.id ||= uid('f');
  const hintEl = hint ? h('small', { id: `${control.id}-hint`, class: 'hint' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

/** A "Copy" button for a text; says "Copied" for a moment (announced through the status region). */
export function copyButton(label: string, text: () => string, announce: (m: string) => void) {
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: (async () => {
        try {
          await navigator.clipboard.writeText(text());
          announce(`${label}: copied to the clipboard`);
        } catch {
          announce('The browser refused the clipboard: select the text and copy it by hand');
        }
      }) as EventListener,
    },
    label,
  );
}

/** `3600` -> `1 h`, `900` -> `15 min`, `5400` -> `1 h 30 min`. */
export function duration(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds % 3600) / 60);
  if (hours === 0) return `${minutes} min`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}
