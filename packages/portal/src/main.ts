/**
 * The portal's entry: configuration, the sign-in callback, then one view per route
 * (`#/roles`, `#/why[/<role>]`, `#/admin`). Nothing secret is logged, put in the URL, or stored
 * beyond sessionStorage.
 */
import './style.css';
import { type Identity, TesseraApi } from '@tessera/client';
import { Auth } from './auth.js';
import { loadConfig, type PortalConfig } from './config.js';
import type { Context } from './context.js';
import { h, mount } from './dom.js';
import { readable } from './errors.js';
import { adminView } from './views/admin.js';
import { rolesView } from './views/roles.js';
import { whyView } from './views/why.js';

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
const who = document.getElementById('who')!;
const status = document.getElementById('status')!;

function announce(message: string): void {
  status.textContent = message;
}

async function start(): Promise<void> {
  const loaded = await loadConfig();
  if (!loaded.ok) {
    mount(
      main,
      h('h1', {}, 'The portal is not configured'),
      h('p', { role: 'alert' }, loaded.message),
    );
    return;
  }
  const auth = new Auth(loaded.config);
  let identity: Identity | undefined;
  try {
    identity = (await auth.completeSignIn()) ?? (await auth.session.identity());
  } catch (err) {
    signedOut(auth, readable(err).message);
    return;
  }
  if (!identity || (identity.expiresAt <= Date.now() && !identity.canRefresh)) {
    signedOut(auth, undefined);
    return;
  }
  signedIn(auth, loaded.config, identity);
}

function signedOut(auth: Auth, message: string | undefined): void {
  mount(nav);
  mount(who);
  const button = h('button', { type: 'button', class: 'primary' }, 'Sign in');
  button.addEventListener('click', () => void auth.signIn());
  mount(
    main,
    h('h1', {}, 'AWS access portal'),
    message ? h('p', { role: 'alert', class: 'error' }, message) : null,
    h('p', {}, 'Sign in with your company account to see the AWS roles you may use.'),
    button,
  );
  button.focus();
}

function signedIn(auth: Auth, config: PortalConfig, identity: Identity): void {
  const api = new TesseraApi({ api: config.api, token: () => auth.session.token() });
  const isAdmin = identity.groups.includes(config.adminGroup);
  const ctx: Context = {
    api,
    identity,
    isAdmin,
    announce,
    fail(where, err) {
      const r = readable(err);
      const again = r.signIn ? h('button', { type: 'button' }, 'Sign in again') : null;
      again?.addEventListener('click', () => void auth.signOut().then(() => auth.signIn()));
      where.append(h('div', { role: 'alert', class: 'error' }, h('p', {}, r.message), again));
    },
  };
  let active = true;
  const end = async (message: string) => {
    active = false;
    window.removeEventListener('hashchange', route);
    await auth.signOut();
    signedOut(auth, message);
  };
  auth.keepFresh((err) => void end(readable(err).message));
  const signOut = h('button', { type: 'button', class: 'secondary' }, 'Sign out');
  signOut.addEventListener('click', () => void end('You are signed out.'));
  mount(
    who,
    h('span', { class: 'user', title: identity.groups.join(', ') }, identity.username),
    h(
      'span',
      { class: 'groups' },
      identity.groups.length ? ` (${identity.groups.join(', ')})` : '',
    ),
    ' ',
    signOut,
  );
  function route(): void {
    if (active) show(ctx);
  }
  window.addEventListener('hashchange', route);
  route();
}

function show(ctx: Context): void {
  const [view = 'roles', arg] = location.hash.replace(/^#\/?/, '').split('/');
  const tabs = [
    ['roles', 'Roles'],
    ['why', 'Why can’t I?'],
    ...(ctx.isAdmin ? [['admin', 'Admin']] : []),
  ];
  mount(
    nav,
    h(
      'ul',
      {},
      tabs.map(([id, label]) =>
        h(
          'li',
          {},
          h('a', { href: `#/${id}`, 'aria-current': id === view ? 'page' : false }, label),
        ),
      ),
    ),
  );
  // Each navigation renders into a fresh element: a view still loading for an earlier route
  // writes into its own detached element, never over the current one.
  const screen = h('div', { class: 'screen' });
  mount(main, screen);
  if (view === 'why') whyView(screen, ctx, arg ? decodeURIComponent(arg) : undefined);
  else if (view === 'admin' && ctx.isAdmin) void adminView(screen, ctx);
  else void rolesView(screen, ctx);
  main.focus({ preventScroll: true });
}

void start();
