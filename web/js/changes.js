// What an action changed and what its actor gave, in words: the lead timeline and the
// audit log show the same entries. Field names and values are labelled (状态：核查中 → 属实),
// times are local, and objects (the disposition) show by the fields that changed inside.
import { fmtTime, h } from './dom.js';
import { label, t } from './i18n.js';

const FIELD = {
  status: 'col.status', assignee: 'lead.assignee', overdue: 'lead.overdue', department: 'lead.department',
  region: 'lead.region', disposition: 'lead.disposition', 'disposition.result': 'lead.disposition',
  'disposition.measure': 'disp.measure', 'disposition.reason': 'disp.reason', 'disposition.note': 'disp.note',
  'disposition.decision_ref': 'disp.decision_ref', 'disposition.by': 'disp.by', 'disposition.at': 'disp.at',
  'due.accept_by': 'lead.accept_by', 'due.close_by': 'lead.close_by', urges: 'col.urges',
  measure: 'disp.measure', reason: 'disp.reason', decision_ref: 'disp.decision_ref', note: 'disp.note',
};

const fieldName = (k) => (FIELD[k] ? t(FIELD[k]) : k);

function valueText(k, x) {
  if (x === null || x === undefined || x === '') return '∅';
  if (typeof x === 'boolean') return t(x ? 'common.yes' : 'common.no');
  if (typeof x === 'object') return JSON.stringify(x);
  const leaf = k.split('.').pop();
  if (leaf === 'status' || leaf === 'result') return label('status', x);
  if (leaf === 'measure' || leaf === 'reason') return label(leaf, x);
  if (/(_by|\.at|^at)$/.test(k) && /^\d{4}-\d\d-\d\dT/.test(String(x))) return fmtTime(x);
  return String(x);
}

// {"status": ["new", "accepted"], "disposition": [null, {...}]}
export function changesView(changes) {
  const line = (k, a, b) => h('div', { class: 'change' }, h('b', null, fieldName(k)), `：${valueText(k, a)} → ${valueText(k, b)}`);
  return Object.entries(changes ?? {}).flatMap(([k, v]) => {
    if (!Array.isArray(v) || v.length !== 2) return [h('div', { class: 'change' }, h('b', null, fieldName(k)), '：', valueText(k, v))];
    const [a, b] = v;
    const isObj = (x) => x === null || (typeof x === 'object' && !Array.isArray(x));
    if (!isObj(a) || !isObj(b) || (a === null && b === null)) return [line(k, a, b)];
    const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])];
    return keys.filter((x) => JSON.stringify(a?.[x]) !== JSON.stringify(b?.[x]))
      .map((x) => line(`${k}.${x}`, a?.[x], b?.[x]));
  });
}

// A reassign's department and region are where the lead goes (改派部门), not where it was.
const DETAIL = { department: 'form.department', region: 'form.region' };

// The note, and the other fields the actor gave (measure, reason, decision ref, new
// department…); the service keeps them under "details".
export function detailsView(entry) {
  const details = { ...(entry.details ?? {}) };
  const note = entry.note ?? details.note;
  delete details.note;
  return [note ? h('div', { class: 'note' }, note) : null,
    ...Object.entries(details).map(([k, v]) => h('div', { class: 'detail' },
      `${DETAIL[k] ? t(DETAIL[k]) : fieldName(k)}：${valueText(k, v)}`))];
}

// The actor: "system" is the engine, which creates leads.
export const actorName = (a) => (a === 'system' ? t('audit.system') : a ?? '');
