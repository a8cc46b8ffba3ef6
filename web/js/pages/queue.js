// The lead queue: filters live in the URL (#/leads?level=red), the list refreshes every
// few seconds and marks leads that arrived since the page was opened.
import { api, qs } from '../api.js';
import { errorBox, h, scopeText } from '../dom.js';
import { label, LEVELS, STATUSES, t } from '../i18n.js';
import { leadTable, OPEN_STATUSES } from './leadtable.js';

const POLL_SECONDS = 5;
const LIMIT = 50;
const FIELDS = ['status', 'level', 'rule', 'region', 'department', 'entity', 'overdue', 'urged', 'mode',
  'created_from', 'created_to', 'sort', 'offset'];

function select(name, value, options) {
  return h('select', { name, id: 'f-' + name },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
}

function field(name, control) {
  return h('label', { class: 'field' }, t('f.' + name), control);
}

export async function render(ctx) {
  const q = { status: OPEN_STATUSES, ...ctx.query };
  ctx.title(t('queue.title'));
  // the rule filter lists the loaded rules; the queue works without them, the error is shown
  let rules = [], rulesError = null;
  try {
    rules = (await api('/api/rules')).rules;
  } catch (err) {
    rulesError = errorBox(err);
  }
  const form = h('form', { class: 'filters', id: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    data.urged = data.urged ? 'true' : '';
    ctx.go('leads', data);
  } },
  // "all" stays in the URL: an empty status would be dropped there and bring back the default
  field('status', select('status', q.status, [['all', t('common.all')], [OPEN_STATUSES, t('queue.open')],
    ...STATUSES.map((s) => [s, label('status', s)])])),
  field('level', select('level', q.level ?? '', [['', t('common.all')], ...LEVELS.map((l) => [l, label('level', l)])])),
  field('rule', select('rule', q.rule ?? '', [['', t('common.all')], ...rules.map((r) => [r.id, `${r.title}（${r.id}）`])])),
  field('region', h('input', { name: 'region', value: q.region ?? '', size: 8, inputmode: 'numeric' })),
  field('department', h('input', { name: 'department', value: q.department ?? '', size: 12 })),
  field('entity', h('input', { name: 'entity', value: q.entity ?? '', size: 18 })),
  field('overdue', select('overdue', q.overdue ?? '', [['', t('common.all')], ['true', t('common.yes')], ['false', t('common.no')]])),
  field('created_from', h('input', { type: 'date', name: 'created_from', value: q.created_from ?? '' })),
  field('created_to', h('input', { type: 'date', name: 'created_to', value: q.created_to ?? '' })),
  field('sort', select('sort', q.sort ?? '-created', ['-created', 'created', 'due', 'level'].map((s) => [s, t('sort.' + s)]))),
  field('mode', select('mode', q.mode ?? 'live', ['live', 'shadow', 'all'].map((m) => [m, t('mode.' + m)]))),
  h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'urged', value: 'true', checked: q.urged === 'true' }), t('f.urged')),
  h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('common.apply')),
    h('button', { type: 'button', class: 'secondary', onclick: () => ctx.go('leads') }, t('common.reset'))));

  const status = h('p', { class: 'muted', id: 'queue-status' });
  const list = h('div', { id: 'queue' });
  ctx.el.append(h('div', { class: 'page-head' }, h('h1', null, t('queue.title')),
    h('span', { class: 'muted' }, t('queue.scope', { scope: scopeText(ctx.me.scope) }))), form, rulesError ?? '', status, list);

  const params = { limit: LIMIT };
  for (const k of FIELDS) if (q[k] && !(k === 'status' && q[k] === 'all')) params[k] = q[k];
  const offset = Number(q.offset ?? 0);
  let known = null;
  const fresh = new Set();

  let busy = false; // a slow answer must not overlap the next poll
  const load = async () => {
    if (busy) return;
    busy = true;
    let res;
    try {
      res = await api('/api/leads' + qs(params));
    } catch (err) {
      list.replaceChildren(errorBox(err));
      return;
    } finally {
      busy = false;
    }
    // The first load is the baseline; leads appearing later are "fresh" until the page is left.
    for (const l of res.leads) if (known && !known.has(l.id)) fresh.add(l.id);
    known = new Set([...(known ?? []), ...res.leads.map((l) => l.id)]);
    status.replaceChildren(t('common.total', { n: res.total }), ' · ', t('queue.live', { s: POLL_SECONDS }), ' · ',
      t('queue.updated', { t: new Date().toLocaleTimeString() }),
      fresh.size ? h('strong', { class: 'fresh-note' }, ' · ' + t('queue.fresh', { n: fresh.size })) : '');
    const pager = h('div', { class: 'pager' },
      h('button', { class: 'secondary', disabled: offset <= 0, onclick: () => ctx.go('leads', { ...q, offset: Math.max(0, offset - LIMIT) }) }, t('common.prev')),
      h('span', null, `${res.total ? offset + 1 : 0}–${offset + res.leads.length} / ${res.total}`),
      h('button', { class: 'secondary', disabled: offset + res.leads.length >= res.total, onclick: () => ctx.go('leads', { ...q, offset: offset + LIMIT }) }, t('common.next')));
    list.replaceChildren(res.leads.length ? leadTable(res.leads, { fresh }) : h('p', { class: 'empty' }, t('queue.empty')), pager);
  };
  await load();
  const timer = setInterval(() => { if (!document.hidden) load(); }, POLL_SECONDS * 1000);
  ctx.onCleanup(() => clearInterval(timer));
}
