// An entity: profile, aggregate state, suppressions and all its leads in scope.
import { api } from '../api.js';
import { hbars } from '../charts.js';
import { facts, fmtTime, h, jsonView, levelBadge, section, table } from '../dom.js';
import { label, t } from '../i18n.js';
import { leadTable } from './leadtable.js';

export async function renderLookup(ctx) {
  ctx.title(t('entity.title'));
  const input = h('input', { name: 'entity', id: 'entity-id', size: 24, required: true });
  ctx.el.append(h('h1', null, t('entity.title')),
    h('form', { class: 'card', onsubmit: (e) => { e.preventDefault(); ctx.go('entities/' + encodeURIComponent(input.value.trim())); } },
      h('label', { class: 'field' }, t('entity.lookup'), input), h('button', { type: 'submit' }, t('common.search'))));
}

// {"RULE": {"lead", "t0": epoch seconds, "t0_local": its local time, "level"}}: the rule's
// suppression window for the entity, counted from t0, after the lead named.
function suppressions(sup) {
  const rows = Object.entries(sup ?? {});
  if (!rows.length) return h('p', { class: 'muted' }, t('common.none'));
  return table([t('col.rule'), t('col.level'), t('entity.since'), t('audit.lead')], rows.map(([rule, s]) => h('tr', null,
    h('td', null, rule), h('td', null, s.level ? levelBadge(s.level) : ''),
    h('td', null, s.t0_local ? fmtTime(s.t0_local) : jsonView(s.t0 ?? null)),
    h('td', null, s.lead ? h('a', { href: `#/leads/${encodeURIComponent(s.lead)}` }, s.lead) : ''))));
}

// The aggregate state: counters, and the events kept per stream (streams with none left out).
function state(st) {
  if (!st || typeof st !== 'object') return jsonView(st ?? null);
  const series = (st.series ?? []).filter((x) => x.events);
  const rest = Object.entries(st).filter(([k]) => k !== 'series')
    .map(([k, v]) => [label('statekey', k), k === 'latest_event_time' ? fmtTime(v) : v]);
  return [facts(rest),
    series.length ? hbars(series.map((x) => ({ label: `${x.stream}（${label('unit', x.unit)}）`, value: x.events })), { title: t('entity.state'), width: 560 }) : null,
    h('details', null, h('summary', null, 'JSON'), jsonView(st))];
}

export async function render(ctx) {
  const id = ctx.params[0];
  ctx.title(id);
  const e = await api(`/api/entities/${encodeURIComponent(id)}`);
  const profile = e.profile && typeof e.profile === 'object' && !Array.isArray(e.profile)
    ? facts(Object.entries(e.profile).map(([k, v]) => [label('profilekey', k), v])) : jsonView(e.profile);
  const leads = e.leads ?? [];
  ctx.el.append(h('div', { class: 'page-head' }, h('h1', null, e.profile?.name ?? e.entity), h('code', null, e.entity)),
    h('div', { class: 'grid2' },
      section(t('entity.profile'), profile),
      section(t('entity.state'), state(e.state))),
    section(t('entity.suppress'), suppressions(e.suppress)),
    section(`${t('entity.leads')}（${leads.length}）`, leads.length ? leadTable(leads) : h('p', { class: 'empty' }, t('queue.empty'))));
}
