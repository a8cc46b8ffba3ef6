// The loaded rules with their statistics, and one rule's page.
import { api } from '../api.js';
import { errorBox, facts, fmtPct, h, jsonView, levelBadge, section, table } from '../dom.js';
import { label, t } from '../i18n.js';
import { groupDetail } from './stats.js';

function clauseLinks(clauses) {
  return (clauses ?? []).map((c) => {
    const ref = typeof c === 'string' ? c : c.ref;
    return h('div', null, h('a', { href: `#/statutes/${encodeURIComponent(ref)}` }, ref),
      typeof c === 'object' && c.label ? ` ${c.law ?? ''}${c.label}` : '');
  });
}

function itemText(item) {
  return item ? (typeof item === 'string' ? item : `${item.code ?? ''} ${item.name ?? ''}`) : '';
}

export async function renderList(ctx) {
  ctx.title(t('rules.title'));
  // the rules are the page; their statistics may fail on their own (shown, not hidden)
  const [rules, stats] = await Promise.all([api('/api/rules'), api('/api/stats?by=rule').catch((err) => err)]);
  const byRule = Object.fromEntries((stats.groups ?? []).map((g) => [g.key, g]));
  if (!stats.groups) ctx.el.append(errorBox(stats));
  const rows = rules.rules.map((r) => h('tr', { 'data-rule': r.id },
    h('td', null, levelBadge(r.level)),
    h('td', null, h('a', { href: `#/rules/${encodeURIComponent(r.id)}` }, r.id), h('div', { class: 'small' }, r.title)),
    h('td', null, r.ruleset), h('td', null, label('mode', r.mode)), h('td', null, r.department ?? ''),
    h('td', null, itemText(r.item)),
    h('td', { class: 'num' }, byRule[r.id]?.leads ?? 0), h('td', { class: 'num' }, fmtPct(byRule[r.id]?.precision))));
  ctx.el.append(h('div', { class: 'page-head' }, h('h1', null, t('rules.title')),
    h('span', { class: 'muted' }, t('common.total', { n: rules.rules.length }))),
  table([t('col.level'), t('col.rule'), t('rules.ruleset'), t('rules.mode'), t('col.department'), t('rules.item'),
    t('stats.leads'), t('bt.precision')], rows, { class: 'rules', id: 'rules-table' }));
}

export async function renderRule(ctx) {
  const id = ctx.params[0];
  ctx.title(id);
  const { rules } = await api('/api/rules');
  const r = rules.find((x) => x.id === id);
  if (!r) throw new Error(t('err.notfound') + '：' + id);
  ctx.el.append(h('div', { class: 'page-head' }, levelBadge(r.level), h('h1', null, `${r.title}（${r.id}）`)),
    h('div', { class: 'grid2' },
      section(r.id, facts([[t('rules.ruleset'), r.ruleset], [t('rules.mode'), label('mode', r.mode)],
        [t('col.department'), r.department], [t('rules.item'), itemText(r.item)],
        [t('rules.clauses'), h('div', null, clauseLinks(r.clauses))]]),
      h('p', null, h('a', { href: `#/backtest?ruleset=${encodeURIComponent(r.ruleset ?? '')}` }, t('rules.backtest')))),
      section(t('rules.params'), r.params && Object.keys(r.params).length ? jsonView(r.params) : h('p', { class: 'muted' }, t('common.none')))));
  const box = h('div', { id: 'rule-stats' });
  ctx.el.append(section(t('rules.stats'), box));
  try {
    box.append(groupDetail(await api(`/api/rules/${encodeURIComponent(id)}/stats`)));
  } catch (err) {
    box.append(errorBox(err));
  }
}
