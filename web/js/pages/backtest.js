// Backtest and threshold sweep (POST /api/backtest): a candidate ruleset against the
// events, the leads it adds and removes compared with the loaded rules, and a sweep
// chart of leads and precision over a parameter's values.
import { api } from '../api.js';
import { sweepChart } from '../charts.js';
import { errorBox, facts, fmtNum, fmtPct, h, jsonView, levelBadge, section, table } from '../dom.js';
import { t } from '../i18n.js';

function leadRows(leads) {
  return (leads ?? []).map((l) => h('tr', null,
    h('td', null, l.level ? levelBadge(l.level) : ''), h('td', null, l.rule ?? ''),
    h('td', null, h('a', { href: `#/entities/${encodeURIComponent(l.entity ?? '')}` }, l.entity_name ?? l.entity ?? '')),
    h('td', null, l.trigger_event ?? ''), h('td', null, l.event_time ?? ''),
    h('td', null, l.id && !l.id.startsWith('bt') ? h('a', { href: `#/leads/${encodeURIComponent(l.id)}` }, l.id) : l.id ?? '')));
}

function leadsTable(leads, id) {
  if (!leads?.length) return h('p', { class: 'muted', id }, t('bt.none'));
  return table([t('col.level'), t('col.rule'), t('col.entity'), t('lead.trigger'), t('lead.event_time'), 'id'],
    leadRows(leads), { id, class: 'bt-leads' });
}

function diagnostics(diags) {
  if (!diags?.length) return h('p', { class: 'ok', id: 'bt-diags' }, t('bt.ok'));
  return h('ul', { class: 'diags', id: 'bt-diags' }, diags.map((d) => h('li', { class: `diag-${d.severity ?? 'error'}` },
    h('code', null, [d.file, d.line, d.col ?? d.column].filter((x) => x !== undefined && x !== null).join(':')),
    ` ${d.severity ?? ''} ${d.message ?? JSON.stringify(d)}`)));
}

export function renderReport(r) {
  const points = r.sweep?.points ?? r.sweep ?? [];
  const summary = [];
  for (const [k, v] of Object.entries(r.summary ?? r))
    if (typeof v === 'number') summary.push([k, k.includes('precision') ? fmtPct(v) : fmtNum(v)]);
  return h('div', { id: 'bt-report' },
    r.diagnostics || r.check ? section(t('bt.diags'), diagnostics(r.diagnostics ?? r.check)) : null,
    summary.length ? section(t('bt.summary'), facts(summary)) : null,
    Array.isArray(points) && points.length
      ? section(t('bt.chart'), sweepChart(points.map((p) => ({ value: p.value, leads: p.leads, precision: p.precision })),
        { title: t('bt.chart'), leadsLabel: t('bt.leads'), precLabel: t('bt.precision') }),
      table([t('bt.value'), t('bt.leads'), t('bt.precision')], points.map((p) => h('tr', null,
        h('td', null, fmtNum(p.value)), h('td', { class: 'num' }, p.leads), h('td', { class: 'num' }, fmtPct(p.precision))))))
      : null,
    r.added ? section(t('bt.added') + `（${r.added.length}）`, leadsTable(r.added, 'bt-added')) : null,
    r.removed ? section(t('bt.removed') + `（${r.removed.length}）`, leadsTable(r.removed, 'bt-removed')) : null,
    h('details', null, h('summary', null, t('bt.raw')), jsonView(r)));
}

export async function render(ctx) {
  ctx.title(t('bt.title'));
  const out = h('div', { id: 'bt-out' });
  const rulesText = h('textarea', { name: 'rules', id: 'bt-rules', rows: 14, cols: 90, spellcheck: 'false' });
  const rulesFile = h('input', { type: 'file', accept: '.yaml,.yml', onchange: async () => {
    if (rulesFile.files[0]) rulesText.value = await rulesFile.files[0].text();
  } });
  const eventsFile = h('input', { type: 'file', name: 'events_file', accept: '.jsonl,.json,.txt' });
  const form = h('form', { class: 'card', id: 'bt-form', onsubmit: (e) => {
    e.preventDefault();
    run(e.submitter?.value === 'check');
  } },
  h('label', { class: 'field block' }, t('bt.rules'), rulesText),
  h('label', { class: 'field' }, t('bt.rules_file'), rulesFile),
  h('fieldset', null, h('legend', null, t('bt.events')),
    h('label', { class: 'field' }, t('bt.from'), h('input', { type: 'date', name: 'from' })),
    h('label', { class: 'field' }, t('bt.to'), h('input', { type: 'date', name: 'to' })),
    h('label', { class: 'field' }, t('bt.events_file'), eventsFile)),
  h('fieldset', null, h('legend', null, t('bt.sweep')),
    h('label', { class: 'field' }, t('bt.param'), h('input', { name: 'param', id: 'bt-param', size: 36 })),
    h('label', { class: 'field' }, t('bt.values'), h('input', { name: 'values', id: 'bt-values', size: 20 }))),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', value: 'run', id: 'bt-run' }, t('bt.run')),
    h('button', { type: 'submit', value: 'check', class: 'secondary', id: 'bt-check' }, t('bt.check'))));

  const run = async (checkOnly) => {
    const f = new FormData(form);
    out.replaceChildren(h('p', { class: 'muted' }, t('bt.running')));
    if (!rulesText.value.trim()) {
      out.replaceChildren(errorBox({ message: t('bt.need_rules') }));
      return;
    }
    const body = { rules: rulesText.value };
    if (checkOnly) body.check_only = true;
    if (f.get('from')) body.from = f.get('from');
    if (f.get('to')) body.to = f.get('to');
    if (eventsFile.files[0]) body.events = await eventsFile.files[0].text();
    if (f.get('param') && f.get('values'))
      body.sweep = { param: f.get('param').trim(), values: f.get('values').split(/[,，\s]+/).filter(Boolean).map(Number) };
    try {
      out.replaceChildren(renderReport(await api('/api/backtest', { method: 'POST', body })));
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  };
  ctx.el.append(h('h1', null, t('bt.title')), form, out);
}
