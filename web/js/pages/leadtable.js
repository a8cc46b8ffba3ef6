// The table of leads shared by the queue, the review page and the entity page.
// Column headers sort the rows shown (the API sorts only by created, due and level).
import { fmtTime, h, levelBadge, statusBadge } from '../dom.js';
import { label, LEVELS, STATUSES, t } from '../i18n.js';

export const OPEN_STATUSES = 'new,accepted,verifying,returned,confirmed,dismissed';

// The deadline in force, as the service decides `overdue` (lifecycle.c): while the lead is
// not yet accepted (new, or returned to be reassigned) the earlier of the two, then closing.
export function dueOf(l) {
  const d = l.due ?? {};
  if (l.status !== 'new' && l.status !== 'returned') return d.close_by;
  return d.close_by && d.accept_by && d.close_by < d.accept_by ? d.close_by : d.accept_by;
}

const KEYS = {
  level: (l) => LEVELS.indexOf(l.level),
  rule: (l) => l.rule_title ?? l.rule,
  entity: (l) => l.entity_name ?? l.entity,
  region: (l) => l.region ?? '',
  department: (l) => l.department ?? '',
  status: (l) => STATUSES.indexOf(l.status),
  due: (l) => dueOf(l) ?? '~',
  created: (l) => l.created_at ?? '',
};

export function leadTable(leads, { fresh = new Set(), extra = null, extraHeader = null } = {}) {
  const cols = ['level', 'rule', 'entity', 'region', 'department', 'status', 'due', 'created'];
  let sortKey = null, dir = 1;
  const tbody = h('tbody');
  const fill = () => {
    const rows = [...leads];
    if (sortKey) rows.sort((a, b) => (KEYS[sortKey](a) < KEYS[sortKey](b) ? -dir : KEYS[sortKey](a) > KEYS[sortKey](b) ? dir : 0));
    tbody.replaceChildren(...rows.map((l) => h('tr', { class: fresh.has(l.id) ? 'fresh' : null, 'data-lead': l.id },
      h('td', null, levelBadge(l.level), l.mode === 'shadow' ? h('span', { class: 'badge shadow' }, label('mode', 'shadow')) : null),
      h('td', null, h('a', { href: `#/leads/${encodeURIComponent(l.id)}`, class: 'lead-link' }, l.rule_title ?? l.rule),
        h('div', { class: 'muted small' }, l.message ?? '')),
      h('td', null, h('a', { href: `#/entities/${encodeURIComponent(l.entity)}` }, l.entity_name ?? l.entity)),
      h('td', null, l.region ?? ''),
      h('td', null, l.department ?? ''),
      h('td', null, statusBadge(l.status), l.urges ? h('span', { class: 'badge urged', title: t('lead.urges', { n: l.urges }) }, `${label('action', 'urge')}×${l.urges}`) : null),
      h('td', { class: l.overdue ? 'overdue' : null }, fmtTime(dueOf(l)), l.overdue ? h('span', { class: 'badge overdue' }, t('lead.overdue')) : null),
      h('td', null, fmtTime(l.created_at)),
      extra ? h('td', null, extra(l)) : null)));
  };
  const head = h('tr', null, cols.map((c) => h('th', null, h('button', { class: 'sort', onclick: () => {
    dir = sortKey === c ? -dir : 1;
    sortKey = c;
    fill();
  } }, t('col.' + c)))), extraHeader ? h('th', null, extraHeader) : null);
  fill();
  return h('table', { class: 'leads' }, h('thead', null, head), tbody);
}
