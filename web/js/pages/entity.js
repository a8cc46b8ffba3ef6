// An entity: profile, aggregate state, suppressions and all its leads in scope.
import { api } from '../api.js';
import { facts, h, jsonView, section } from '../dom.js';
import { t } from '../i18n.js';
import { leadTable } from './leadtable.js';

export async function renderLookup(ctx) {
  ctx.title(t('entity.title'));
  const input = h('input', { name: 'entity', id: 'entity-id', size: 24, required: true });
  ctx.el.append(h('h1', null, t('entity.title')),
    h('form', { class: 'card', onsubmit: (e) => { e.preventDefault(); ctx.go('entities/' + encodeURIComponent(input.value.trim())); } },
      h('label', { class: 'field' }, t('entity.lookup'), input), h('button', { type: 'submit' }, t('common.search'))));
}

export async function render(ctx) {
  const id = ctx.params[0];
  ctx.title(id);
  const e = await api(`/api/entities/${encodeURIComponent(id)}`);
  const profile = e.profile && typeof e.profile === 'object' && !Array.isArray(e.profile)
    ? facts(Object.entries(e.profile))
    : jsonView(e.profile);
  const leads = e.leads ?? [];
  ctx.el.append(h('div', { class: 'page-head' }, h('h1', null, e.profile?.name ?? e.entity), h('code', null, e.entity)),
    h('div', { class: 'grid2' },
      section(t('entity.profile'), profile),
      section(t('entity.suppress'), jsonView(e.suppress ?? null))),
    section(t('entity.leads') + `（${leads.length}）`, leads.length ? leadTable(leads) : h('p', { class: 'empty' }, t('queue.empty'))),
    section(t('entity.state'), h('details', { open: true }, h('summary', null, t('entity.state')), jsonView(e.state ?? null))));
}
