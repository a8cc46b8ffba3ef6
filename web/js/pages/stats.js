// Statistics per rule, ruleset, department or region: leads by month and level,
// precision, time to close; a group's details on click.
import { api, qs } from '../api.js';
import { hbars, stackedMonths } from '../charts.js';
import { facts, fmtNum, fmtPct, h, jsonView, section, table } from '../dom.js';
import { label, t } from '../i18n.js';

// Sums the groups' by_month into one {month: {level: n}}.
function mergeMonths(groups) {
  const out = {};
  for (const g of groups)
    for (const [m, levels] of Object.entries(g.by_month ?? {}))
      for (const [l, n] of Object.entries(levels)) {
        out[m] ??= {};
        out[m][l] = (out[m][l] ?? 0) + n;
      }
  return out;
}

// One group's statistics (also the rule page's).
export function groupDetail(g) {
  return h('div', { class: 'group-detail' },
    stackedMonths(g.by_month, { title: t('stats.month') }),
    h('div', { class: 'grid2' },
      facts([[t('stats.leads'), g.leads], [t('stats.confirmed'), g.confirmed], [t('stats.dismissed'), g.dismissed],
        [t('stats.precision'), fmtPct(g.precision)], [t('stats.accept_hours'), fmtNum(g.median_hours_to_accept, 3)],
        [t('stats.close_h'), fmtNum(g.median_hours_to_close, 3)], [t('stats.overdue'), g.overdue]]),
      h('div', null,
        h('h4', null, t('stats.by_status')),
        facts(Object.entries(g.by_status ?? {}).map(([k, v]) => [label('status', k), v])),
        h('h4', null, t('stats.reasons')),
        facts(Object.entries(g.dismissed_by_reason ?? {}).map(([k, v]) => [label('reason', k), v])))));
}

export async function render(ctx) {
  const by = ctx.query.by ?? 'rule';
  const mode = ctx.query.mode ?? 'live';
  ctx.title(t('stats.title'));
  const pick = h('form', { class: 'filters', onchange: () => ctx.go('stats', Object.fromEntries(new FormData(pick))) },
    h('label', { class: 'field' }, t('stats.by'), h('select', { name: 'by', id: 'stats-by' },
      ['rule', 'ruleset', 'department', 'region'].map((b) => h('option', { value: b, selected: b === by }, t('stats.by.' + b))))),
    h('label', { class: 'field' }, t('f.mode'), h('select', { name: 'mode' },
      ['live', 'shadow'].map((m) => h('option', { value: m, selected: m === mode }, t('mode.' + m))))));
  ctx.el.append(h('div', { class: 'page-head' }, h('h1', null, t('stats.title'))), pick);
  const res = await api('/api/stats' + qs({ by, mode }));
  const groups = res.groups ?? [];
  if (!groups.length) {
    ctx.el.append(h('p', { class: 'empty' }, t('stats.empty')));
    return;
  }
  // rules are named by their titles, as everywhere a person reads them (the id after)
  const titles = {};
  if (by === 'rule') {
    try {
      for (const r of (await api('/api/rules')).rules ?? []) titles[r.id] = r.title;
    } catch { /* ids alone */ }
  }
  const name = (g) => (titles[g.key] ? `${titles[g.key]}（${g.key}）` : g.key);
  const short = (g) => titles[g.key] ?? g.key;
  const detail = h('div', { id: 'group-detail' });
  const rows = groups.map((g) => h('tr', null,
    h('td', null, h('button', { class: 'link', onclick: () => detail.replaceChildren(section(t('stats.group', { k: name(g) }), groupDetail(g))) }, name(g))),
    h('td', { class: 'num' }, g.leads), h('td', { class: 'num' }, g.confirmed), h('td', { class: 'num' }, g.dismissed),
    h('td', { class: 'num' }, fmtPct(g.precision)), h('td', { class: 'num' }, fmtNum(g.median_hours_to_accept, 3)),
    h('td', { class: 'num' }, fmtNum(g.median_hours_to_close, 3)), h('td', { class: 'num' }, g.overdue)));
  ctx.el.append(
    section(t('stats.month'), stackedMonths(mergeMonths(groups), { title: t('stats.month'), width: 1000 })),
    h('div', { class: 'grid2' },
      section(t('stats.precision'), hbars(groups.map((g) => ({ label: short(g), value: g.precision })),
        { title: t('stats.precision'), max: 1, width: 520, format: fmtPct })),
      section(t('stats.close_hours'), hbars(groups.map((g) => ({ label: short(g), value: g.median_hours_to_close })),
        { title: t('stats.close_hours'), width: 520 }))),
    section(t('stats.by.' + by), table([t('stats.by.' + by), t('stats.leads'), t('stats.confirmed'), t('stats.dismissed'),
      t('bt.precision'), t('stats.accept_hours'), t('stats.close_h'), t('stats.overdue')], rows, { class: 'stats', id: 'stats-table' })),
    detail,
    h('details', null, h('summary', null, 'JSON'), jsonView(res)));
}
