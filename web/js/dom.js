// Building DOM without innerHTML: lead data comes from events (entity names, notes),
// so text always goes in as text.
import { label, t } from './i18n.js';

export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled') el[k] = !!v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, kids);
  return el;
}

function append(el, kids) {
  for (const k of kids) {
    if (k === null || k === undefined || k === false) continue;
    if (Array.isArray(k)) append(el, k);
    else el.append(k instanceof Node ? k : String(k));
  }
}

// "2026-03-04T10:15:02.113+08:00" → "2026-03-04 10:15" as written (the service's local time).
export function fmtTime(s) {
  if (!s) return '';
  return String(s).replace('T', ' ').slice(0, 16);
}

export function fmtNum(v, digits = 4) {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(digits)));
}

export function fmtPct(v) {
  return v === null || v === undefined ? '—' : (v * 100).toFixed(1) + '%';
}

// A rule whose level depends on conditions has the level "map".
export function levelBadge(level) {
  return h('span', { class: `badge level-${level}` }, label('level', level));
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, label('status', status));
}

export function errorBox(err) {
  const code = err?.code && err.code !== 'network' ? ` (${err.status ?? ''} ${err.code})` : '';
  const box = h('div', { class: 'error', role: 'alert' }, err?.message ?? String(err), h('span', { class: 'code' }, code));
  if (err?.body?.error?.allowed) {
    const allowed = err.body.error.allowed.map((a) => label('action', a)).join('、');
    box.append(h('div', null, `${t('lead.actions')}：${allowed || t('common.none')}`));
  }
  return box;
}

export function section(title, ...kids) {
  return h('section', { class: 'card' }, h('h2', null, title), ...kids);
}

// A definition list from [label, value] pairs, skipping empty values; objects the
// console has no view for show as JSON text.
export function facts(pairs) {
  return h('dl', { class: 'facts' },
    pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => [h('dt', null, k), h('dd', null, typeof v === 'object' && !(v instanceof Node) ? JSON.stringify(v) : v)]));
}

export function table(headers, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))),
    h('tbody', null, rows));
}

// Any JSON value as a compact readable tree (for the parts of the API the console does not know).
export function jsonView(v) {
  if (v === null || typeof v !== 'object') return h('span', { class: 'json-scalar' }, v === null ? 'null' : String(v));
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  if (!entries.length) return h('span', { class: 'muted' }, Array.isArray(v) ? '[]' : '{}');
  return h('ul', { class: 'json' }, entries.map(([k, x]) => h('li', null, h('b', null, String(k)), ': ', jsonView(x))));
}

export function scopeText(scope) {
  const r = scope?.regions ?? [];
  const d = scope?.departments ?? [];
  if (!r.length && !d.length) return t('common.all');
  return [...r, ...d].join('，');
}
