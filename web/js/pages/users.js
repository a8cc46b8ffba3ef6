// Users and tokens (admin): the list, adding a user (the token is shown once), reload.
import { api } from '../api.js';
import { errorBox, h, jsonView, scopeText, section, table } from '../dom.js';
import { label, ROLES, t } from '../i18n.js';

// The API's scope text, "3201,食品经营监管处" ("*" for everything), from what was typed.
function scopeParam(text) {
  const parts = text.split(/[,，\s]+/).filter((x) => x && x !== '*');
  return parts.length ? parts.join(',') : '*';
}

export async function render(ctx) {
  ctx.title(t('users.title'));
  const out = h('div', { id: 'users-out' });
  const form = h('form', { class: 'filters', id: 'add-user', onsubmit: async (e) => {
    e.preventDefault();
    out.replaceChildren();
    const f = new FormData(form);
    try {
      const r = await api('/api/users', { method: 'POST',
        body: { name: f.get('name'), role: f.get('role'), scope: scopeParam(f.get('scope') ?? '') } });
      out.append(h('p', { class: 'ok' }, t('users.token_once'), h('code', { id: 'new-token' }, r.token)));
      list.replaceChildren(await userTable());
    } catch (err) {
      out.append(errorBox(err));
    }
  } },
  h('label', { class: 'field' }, t('users.name'), h('input', { name: 'name', required: true, size: 12 })),
  h('label', { class: 'field' }, t('users.role'), h('select', { name: 'role' }, ROLES.map((r) => h('option', { value: r }, label('role', r))))),
  h('label', { class: 'field' }, t('users.scope'), h('input', { name: 'scope', size: 30, value: '*' })),
  h('button', { type: 'submit' }, t('users.add')));
  const reloadOut = h('div');
  const reload = h('button', { class: 'secondary', onclick: async () => {
    reloadOut.replaceChildren();
    try {
      const r = await api('/api/reload', { method: 'POST', body: {} });
      reloadOut.append(h('p', { class: 'ok' }, t('users.reloaded')), jsonView(r));
    } catch (err) {
      reloadOut.append(errorBox(err));
    }
  } }, t('users.reload'));
  const list = h('div', { id: 'users' }, await userTable());
  ctx.el.append(h('h1', null, t('users.title')), section(t('users.add'), form, out), list, section(t('users.reload'), reload, reloadOut));
}

async function userTable() {
  const res = await api('/api/users');
  const users = res.users ?? res;
  return table([t('users.name'), t('users.role'), t('queue.scope', { scope: '' }), ''],
    users.map((u) => h('tr', null, h('td', null, u.name), h('td', null, label('role', u.role)),
      h('td', null, scopeText(u.scope)), h('td', { class: 'muted small' }, u.disabled ? '×' : ''))));
}
