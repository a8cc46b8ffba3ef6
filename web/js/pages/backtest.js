// Backtest and threshold sweep (POST /api/backtest): a candidate ruleset run over the
// history beside the loaded rules — per rule, the leads it adds and removes and what past
// dispositions say of them — or one rule run once per value of a param, with leads and
// precision per value on a chart. The check output (file:line:col) comes with it.
import { api } from '../api.js';
import { stackedMonths, sweepChart } from '../charts.js';
import { errorBox, facts, fmtNum, fmtPct, h, jsonView, levelBadge, section, table } from '../dom.js';
import { label, t } from '../i18n.js';

function diagnostics(diags) {
  if (!diags?.length) return h('p', { class: 'ok', id: 'bt-diags' }, t('bt.ok'));
  return h('ul', { class: 'diags', id: 'bt-diags' }, diags.map((d) => {
    if (typeof d === 'string') return h('li', { class: /warning/.test(d) ? 'diag-warning' : 'diag-error' }, h('code', null, d));
    const where = [d.file, d.line, d.col ?? d.column].filter((x) => x !== undefined && x !== null).join(':');
    return h('li', { class: `diag-${d.severity ?? 'error'}` }, h('code', null, where), ` ${d.severity ?? ''}: ${d.message ?? ''}`);
  }));
}

function statsRow(name, s) {
  return h('tr', null, h('th', null, name), h('td', { class: 'num' }, s?.leads ?? 0),
    h('td', null, Object.entries(s?.by_level ?? {}).map(([l, n]) => [levelBadge(l), `${n} `])),
    h('td', { class: 'num' }, s?.judged ?? 0), h('td', { class: 'num' }, s?.confirmed ?? 0),
    h('td', { class: 'num' }, s?.dismissed ?? 0), h('td', { class: 'num' }, fmtPct(s?.precision)),
    h('td', { class: 'num' }, s?.on_confirmed_entities ?? 0));
}

const STATS_HEAD = () => ['', t('bt.leads'), t('col.level'), t('bt.judged'), t('stats.confirmed'), t('stats.dismissed'),
  t('bt.precision'), t('bt.on_confirmed')];

function leadList(list, id, removed) {
  const leads = list?.leads ?? [];
  if (!leads.length) return h('p', { class: 'muted', id }, t('bt.none'));
  return table([t('col.level'), t('col.rule'), t('col.entity'), t('col.region'), t('bt.date'),
    removed ? t('bt.past') : t('bt.entity_confirmed')],
  leads.map((l) => h('tr', null, h('td', null, levelBadge(l.level)), h('td', null, l.rule ?? ''),
    h('td', null, h('a', { href: `#/entities/${encodeURIComponent(l.entity)}` }, l.entity_name ?? l.entity)),
    h('td', null, l.region ?? ''), h('td', null, l.date ?? ''),
    h('td', null, removed ? (l.disposition ? label('status', l.disposition) : '—') : (l.entity_confirmed ? t('common.yes') : '')))),
  { id, class: 'bt-leads' });
}

function backtestReport(r) {
  const rules = r.rules ?? [];
  const changed = rules.filter((x) => x.changed || x.params_changed || x.added?.count || x.removed?.count);
  const withRule = (key) => ({ leads: rules.flatMap((x) => (x[key]?.leads ?? []).map((l) => ({ ...l, rule: x.rule }))) });
  return [
    section(t('bt.summary'), table(STATS_HEAD(), [statsRow(t('bt.baseline'), r.totals?.current),
      statsRow(t('bt.candidate'), r.totals?.candidate)], { id: 'bt-totals' }),
    h('p', null, t('bt.delta', { added: r.totals?.added ?? 0, removed: r.totals?.removed ?? 0 }))),
    section(t('bt.chart_months'), h('div', { class: 'grid2', id: 'bt-chart' },
      h('div', null, h('h3', null, t('bt.baseline')), stackedMonths(r.totals?.current?.by_month, { title: t('bt.baseline'), width: 460 })),
      h('div', null, h('h3', null, t('bt.candidate')), stackedMonths(r.totals?.candidate?.by_month, { title: t('bt.candidate'), width: 460 })))),
    section(t('bt.by_rule'), table([t('col.rule'), t('bt.changed'), t('bt.baseline'), t('bt.candidate'), t('bt.added'), t('bt.removed'),
      `${t('bt.precision')} (${t('bt.baseline')} → ${t('bt.candidate')})`],
    changed.map((x) => h('tr', null, h('td', null, `${x.title ?? ''}（${x.rule}）`),
      h('td', null, x.changed || x.params_changed ? t('common.yes') : ''), h('td', { class: 'num' }, x.current?.leads ?? 0),
      h('td', { class: 'num' }, x.candidate?.leads ?? 0), h('td', { class: 'num' }, `+${x.added?.count ?? 0}`),
      h('td', { class: 'num' }, `−${x.removed?.count ?? 0}`),
      h('td', { class: 'num' }, `${fmtPct(x.current?.precision)} → ${fmtPct(x.candidate?.precision)}`))), { id: 'bt-rules' })),
    section(`${t('bt.added')}（${r.totals?.added ?? 0}）`, leadList(withRule('added'), 'bt-added', false)),
    section(`${t('bt.removed')}（${r.totals?.removed ?? 0}）`, leadList(withRule('removed'), 'bt-removed', true)),
  ];
}

function sweepReport(r) {
  const s = r.sweep ?? {};
  const values = s.values ?? [];
  const months = h('div', { id: 'bt-months' });
  const showMonths = (v) => months.replaceChildren(h('h3', null, `${s.param} = ${v.value}`),
    stackedMonths(v.by_month, { title: `${s.param} = ${v.value}` }));
  const out = [
    section(t('bt.sweep_of', { rule: `${s.title ?? ''}（${s.rule}）`, param: s.param, current: JSON.stringify(s.current_value) }),
      Object.keys(s.overrides ?? {}).length ? h('p', { class: 'note', id: 'bt-overridden' }, t('bt.overridden', {
        list: Object.entries(s.overrides).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('，') })) : null,
      h('div', { id: 'bt-chart' }, sweepChart(values.map((v) => ({ value: v.value, leads: v.leads, precision: v.precision })),
        { title: t('bt.chart'), leadsLabel: t('bt.leads'), precLabel: t('bt.precision') })),
      table([t('bt.value'), ...STATS_HEAD().slice(1)], values.map((v) => {
        const row = statsRow(`${v.value}${v.current ? ' ★' : ''}`, v);
        row.classList.add('clickable');
        row.addEventListener('click', () => showMonths(v));
        return row;
      }), { id: 'bt-values' }),
      h('p', { class: 'muted small' }, t('bt.current_mark')), months),
  ];
  const current = values.find((v) => v.current) ?? values[0];
  if (current) showMonths(current);
  return out;
}

export function renderReport(r, diags) {
  return h('div', { id: 'bt-report' },
    section(t('bt.diags'), diagnostics(diags ?? r.diagnostics)),
    r.kind === 'sweep' ? sweepReport(r) : backtestReport(r),
    r.events ? section(t('bt.events'), facts(Object.entries(r.events).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : fmtNum(v)]))) : null,
    h('details', null, h('summary', null, t('bt.raw')), jsonView(r)));
}

export async function render(ctx) {
  ctx.title(t('bt.title'));
  const out = h('div', { id: 'bt-out' });
  const rulesText = h('textarea', { name: 'ruleset', id: 'bt-rules', rows: 14, cols: 90, spellcheck: 'false' });
  const nameInput = h('input', { name: 'ruleset_name', id: 'bt-rules-name', size: 20, value: ctx.query.ruleset ? `${ctx.query.ruleset}.yaml` : '' });
  const rulesFile = h('input', { type: 'file', accept: '.yaml,.yml', onchange: async () => {
    const f = rulesFile.files[0];
    if (!f) return;
    rulesText.value = await f.text();
    nameInput.value = f.name;
  } });
  const eventsFile = h('input', { type: 'file', name: 'events_file', accept: '.jsonl,.json,.txt' });
  const form = h('form', { class: 'card', id: 'bt-form', onsubmit: (e) => { e.preventDefault(); run(); } },
    h('p', { class: 'muted' }, t('bt.hint')),
    h('label', { class: 'field block' }, t('bt.rules'), rulesText),
    h('div', { class: 'filters' }, h('label', { class: 'field' }, t('bt.rules_name'), nameInput),
      h('label', { class: 'field' }, t('bt.rules_file'), rulesFile)),
    h('fieldset', null, h('legend', null, t('bt.events')),
      h('label', { class: 'field' }, t('bt.from'), h('input', { type: 'date', name: 'from' })),
      h('label', { class: 'field' }, t('bt.to'), h('input', { type: 'date', name: 'to' })),
      h('label', { class: 'field' }, t('bt.events_file'), eventsFile)),
    h('fieldset', null, h('legend', null, t('bt.sweep')),
      h('label', { class: 'field' }, t('bt.param'), h('input', { name: 'param', id: 'bt-param', size: 36 })),
      h('label', { class: 'field' }, t('bt.values'), h('input', { name: 'values', id: 'bt-values-in', size: 20 }))),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', id: 'bt-run' }, t('bt.run'))));

  const run = async () => {
    const f = new FormData(form);
    const body = {};
    if (rulesText.value.trim()) {
      body.ruleset = rulesText.value;
      if (nameInput.value.trim()) body.ruleset_name = nameInput.value.trim();
    }
    if (f.get('from')) body.from = f.get('from');
    if (f.get('to')) body.to = f.get('to');
    if (eventsFile.files[0]) body.events = await eventsFile.files[0].text();
    if (f.get('param').trim()) body.sweep = `${f.get('param').trim()}=${f.get('values').trim()}`;
    out.replaceChildren(h('p', { class: 'muted' }, t('bt.running')));
    try {
      const res = await api('/api/backtest', { method: 'POST', body });
      out.replaceChildren(renderReport(res.report ?? res, res.diagnostics));
    } catch (err) {
      out.replaceChildren(errorBox(err), err.body?.error?.diagnostics ? section(t('bt.diags'), diagnostics(err.body.error.diagnostics)) : '');
    }
  };
  ctx.el.append(h('h1', null, t('bt.title')), form, out);
}
