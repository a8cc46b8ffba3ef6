// The console shell: sign-in, the header with the pages the role may use, and a hash
// router (#/leads/L…), so the server needs no route per page and links survive reloads.
import { api, clearSession, saveSession, session } from './api.js';
import { errorBox, h, scopeText } from './dom.js';
import { label, lang, setLang, t } from './i18n.js';
import * as audit from './pages/audit.js';
import * as backtest from './pages/backtest.js';
import * as entity from './pages/entity.js';
import * as lead from './pages/lead.js';
import * as queue from './pages/queue.js';
import * as review from './pages/review.js';
import * as rules from './pages/rules.js';
import * as stats from './pages/stats.js';
import * as statutes from './pages/statutes.js';
import * as users from './pages/users.js';

// Which pages each role sees in the header; the API enforces the same on every request.
const NAV = {
  regulator: ['leads', 'stats', 'entities', 'statutes'],
  supervisor: ['leads', 'review', 'stats', 'entities', 'statutes'],
  author: ['rules', 'backtest', 'stats', 'leads', 'entities', 'statutes'],
  auditor: ['leads', 'audit', 'stats', 'entities', 'statutes'],
  admin: ['users', 'statutes'],
};

const ROUTES = [
  [/^leads$/, queue.render],
  [/^leads\/([^/]+)$/, lead.render],
  [/^review$/, review.render],
  [/^stats$/, stats.render],
  [/^rules$/, rules.renderList],
  [/^rules\/([^/]+)$/, rules.renderRule],
  [/^backtest$/, backtest.render],
  [/^entities$/, entity.renderLookup],
  [/^entities\/([^/]+)$/, entity.render],
  [/^statutes$/, statutes.renderIndex],
  [/^statutes\/(.+)$/, statutes.renderClause],
  [/^audit$/, audit.render],
  [/^users$/, users.render],
];

let cleanups = [];
let pendingMessage = null;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  return { path, query: Object.fromEntries(new URLSearchParams(query)) };
}

export function go(path, query = {}) {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v != null)).toString();
  location.hash = '#/' + path + (q ? '?' + q : '');
}

function header(me) {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  nav.replaceChildren();
  who.replaceChildren();
  const langBtn = h('button', { class: 'link', id: 'lang', onclick: () => { setLang(lang() === 'en' ? 'zh' : 'en'); route(); } },
    t('who.lang'));
  if (!me) {
    who.append(langBtn);
    return;
  }
  const current = parseHash().path.split('/')[0];
  for (const p of NAV[me.role] ?? ['leads']) {
    nav.append(h('a', { href: '#/' + p, class: p === current ? 'active' : null, 'data-page': p }, t('nav.' + p)));
  }
  who.append(h('span', { class: 'me', title: t('queue.scope', { scope: scopeText(me.scope) }) },
    `${me.name} · ${label('role', me.role)}`), langBtn,
  h('button', { class: 'link', id: 'signout', onclick: () => { clearSession(); go('login'); } }, t('who.signout')));
}

function loginPage(main) {
  document.title = t('login.title') + ' · ' + t('app.title');
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true, size: 48 });
  const out = h('div');
  if (pendingMessage) out.append(errorBox(pendingMessage));
  pendingMessage = null;
  const form = h('form', { class: 'card login', onsubmit: async (e) => {
    e.preventDefault();
    out.replaceChildren();
    const token = input.value.trim();
    try {
      const me = await api('/api/me', { token });
      saveSession(token, me);
      go('');
    } catch (err) {
      out.append(errorBox(err));
    }
  } },
  h('h1', null, t('login.title')),
  h('label', null, t('login.token'), input),
  h('p', { class: 'muted' }, t('login.hint')),
  h('button', { type: 'submit', id: 'signin' }, t('login.submit')), out);
  main.replaceChildren(h('div', { class: 'center' }, h('p', { class: 'brand-big' }, t('app.title')), form));
  input.focus();
}

async function route() {
  for (const f of cleanups) f();
  cleanups = [];
  document.documentElement.lang = lang() === 'en' ? 'en' : 'zh-CN';
  const main = document.getElementById('main');
  const { path, query } = parseHash();
  const s = session();
  if (!s || path === 'login') {
    if (s && path === 'login') clearSession();
    header(null);
    loginPage(main);
    return;
  }
  if (path === '') {
    go((NAV[s.me.role] ?? ['leads'])[0]);
    return;
  }
  header(s.me);
  const match = ROUTES.map(([re, fn]) => [path.match(re), fn]).find(([m]) => m);
  main.replaceChildren(h('p', { class: 'muted' }, t('common.loading')));
  if (!match) {
    main.replaceChildren(errorBox({ message: t('err.notfound') }));
    return;
  }
  const [m, render] = match;
  const el = h('div', { class: 'page' });
  const ctx = {
    el, me: s.me, query, params: m.slice(1).map(decodeURIComponent), go,
    onCleanup: (f) => cleanups.push(f),
    title: (x) => { document.title = x + ' · ' + t('app.title'); },
  };
  try {
    await render(ctx);
  } catch (err) {
    el.append(errorBox(err));
  }
  // a later navigation may have happened while this page loaded
  if (parseHash().path === path) main.replaceChildren(el);
}

window.addEventListener('rw-unauthorized', (e) => {
  clearSession();
  pendingMessage = { message: t('login.expired') + e.detail.message };
  go('login');
});
window.addEventListener('hashchange', route);
route();
