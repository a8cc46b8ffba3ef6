// The audit log (auditor): entries filtered by lead or actor, and the hash chain check.
import { api, qs } from '../api.js';
import { errorBox, fmtTime, h, table } from '../dom.js';
import { label, t } from '../i18n.js';
import { actorName, changesView, detailsView } from '../changes.js';

const LIMIT = 100;

export async function render(ctx) {
  const q = ctx.query;
  ctx.title(t('audit.title'));
  const verifyOut = h('div', { id: 'verify-out' });
  const form = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); ctx.go('audit', Object.fromEntries(new FormData(form))); } },
    h('label', { class: 'field' }, t('audit.lead'), h('input', { name: 'lead', value: q.lead ?? '', size: 24 })),
    h('label', { class: 'field' }, t('audit.actor'), h('input', { name: 'actor', value: q.actor ?? '', size: 12 })),
    h('button', { type: 'submit' }, t('common.apply')),
    h('button', { type: 'button', class: 'secondary', id: 'verify', onclick: async () => {
      verifyOut.replaceChildren();
      try {
        const r = await api('/api/audit/verify');
        verifyOut.append(r.ok ? h('p', { class: 'ok' }, t('audit.ok', { n: r.entries }))
          : h('p', { class: 'error' }, t('audit.bad', { seq: r.first_bad, reason: r.reason })));
      } catch (err) {
        verifyOut.append(errorBox(err));
      }
    } }, t('audit.verify')));
  ctx.el.append(h('h1', null, t('audit.title')), form, verifyOut);
  const offset = Number(q.offset ?? 0);
  const res = await api('/api/audit' + qs({ lead: q.lead, actor: q.actor, offset, limit: LIMIT }));
  const rows = res.entries.map((e) => h('tr', null,
    h('td', { class: 'num' }, e.seq), h('td', null, fmtTime(e.time)), h('td', null, actorName(e.actor)),
    h('td', null, label('role', e.role)), h('td', null, label('action', e.action)),
    h('td', null, h('a', { href: `#/leads/${encodeURIComponent(e.lead)}` }, e.lead)),
    h('td', null, detailsView(e)), h('td', { class: 'small' }, changesView(e.changes)),
    h('td', { class: 'hash small', title: e.hash }, (e.hash ?? '').slice(0, 12))));
  ctx.el.append(h('p', { class: 'muted' }, t('common.total', { n: res.total })),
    table([t('audit.seq'), t('audit.time'), t('audit.actor'), t('audit.role'), t('audit.action'), t('audit.lead'),
      t('form.note'), t('audit.changes'), 'hash'], rows, { class: 'audit' }),
    h('div', { class: 'pager' },
      h('button', { class: 'secondary', disabled: offset <= 0, onclick: () => ctx.go('audit', { ...q, offset: Math.max(0, offset - LIMIT) }) }, t('common.prev')),
      h('button', { class: 'secondary', disabled: offset + res.entries.length >= res.total, onclick: () => ctx.go('audit', { ...q, offset: offset + LIMIT }) }, t('common.next'))));
}
