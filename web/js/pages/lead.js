// One lead: why it fired (evidence beside thresholds, model parts, events on a timeline),
// its legal basis (both versions where the law changed), deadlines, the actions the API
// allows now with the fields each needs, and its audit trail.
import { api } from '../api.js';
import { gauge, hbars, timeline } from '../charts.js';
import { sideBySide } from '../diff.js';
import { errorBox, facts, fmtNum, fmtTime, h, jsonView, levelBadge, section, statusBadge, table } from '../dom.js';
import { label, MEASURES, REASONS, t } from '../i18n.js';
import { dueOf } from './leadtable.js';
import { actorName, changesView, detailsView } from '../changes.js';

// The fields each action asks for (docs/api.md); `required` ones block submitting.
const FORMS = {
  accept: [['note', 'text']],
  verify: [['note', 'text']],
  confirm: [['measure', 'measure', true], ['note', 'textarea', true], ['decision_ref', 'text']],
  dismiss: [['reason', 'reason', true], ['note', 'textarea', true]],
  return: [['reason', 'textarea', true], ['note', 'text']],
  reassign: [['department', 'text'], ['region', 'text'], ['note', 'text']],
  close: [['note', 'text']],
  send_back: [['note', 'textarea', true]],
  reopen: [['note', 'textarea', true]],
  urge: [['note', 'textarea', true]],
};

const FIELD_LABEL = { note: 'form.note', measure: 'form.measure', reason: 'form.reason', decision_ref: 'form.decision_ref',
  department: 'form.department', region: 'form.region' };

function control(action, name, kind, required) {
  const attrs = { name, id: `${action}-${name}`, required };
  if (kind === 'measure' || kind === 'reason') {
    const values = kind === 'measure' ? MEASURES : REASONS;
    return h('select', attrs, h('option', { value: '' }, '—'),
      values.map((v) => h('option', { value: v }, label(kind, v))));
  }
  return kind === 'textarea' ? h('textarea', { ...attrs, rows: 3, cols: 50 }) : h('input', { ...attrs, size: 40 });
}

function actionForm(action, lead, onDone, onStale, out) {
  const fields = FORMS[action] ?? [['note', 'text']];
  const form = h('form', { class: 'action-form', id: `form-${action}`, onsubmit: async (e) => {
    e.preventDefault();
    const body = { action, revision: lead.revision };
    for (const [name] of fields) {
      const v = form.elements[name].value.trim();
      if (v) body[name] = v;
    }
    if (action === 'reassign' && !body.department && !body.region) {
      out.replaceChildren(errorBox({ message: t('form.need_target') }));
      return;
    }
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      const res = await api(`/api/leads/${encodeURIComponent(lead.id)}/actions`, { method: 'POST', body });
      onDone(res, action);
    } catch (err) {
      btn.disabled = false;
      if (err.status === 409) onStale(err); /* the lead moved on: show it as it is now */
      else out.replaceChildren(errorBox(err));
    }
  } },
  h('h3', null, label('action', action)),
  fields.map(([name, kind, required]) => h('label', { class: 'field' },
    t(action === 'return' && name === 'reason' ? 'form.return_reason' : FIELD_LABEL[name]),
    required ? h('span', { class: 'req' }, ' *') : null, control(action, name, kind, required))),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', id: `submit-${action}` }, label('action', action)),
    h('button', { type: 'button', class: 'secondary', onclick: () => form.remove() }, t('common.cancel'))));
  return form;
}

function actionsCard(view, rerender) {
  const { lead, allowed } = view;
  const out = h('div', { id: 'action-out' });
  const slot = h('div');
  const buttons = (allowed ?? []).map((a) => h('button', { class: `action action-${a}`, 'data-action': a, onclick: () => {
    out.replaceChildren();
    slot.replaceChildren(actionForm(a, lead, (res, done) => rerender(res, done), async (err) => {
      try {
        rerender(await api(`/api/leads/${encodeURIComponent(lead.id)}`));
        document.getElementById('action-out')?.replaceChildren(errorBox(err), h('p', { class: 'muted' }, t('lead.refreshed')));
      } catch (e) {
        out.replaceChildren(errorBox(err));
      }
    }, out));
    slot.querySelector('input,select,textarea')?.focus();
  } }, label('action', a)));
  return section(t('lead.actions'),
    buttons.length ? h('div', { class: 'buttons', id: 'actions' }, buttons) : h('p', { class: 'muted', id: 'actions' }, t('lead.noactions')),
    slot, out);
}

function evidenceCard(lead) {
  const rows = (lead.evidence ?? []).map((e) => h('tr', null,
    h('td', null, h('code', null, e.expr)),
    h('td', { class: 'num' }, fmtNum(e.value)),
    h('td', { class: 'num' }, e.compared ? `${e.compared} ${fmtNum(e.threshold)}` : '—'),
    h('td', null, gauge(e.value, e.threshold, e.compared))));
  return table([t('lead.expr'), t('lead.value'), t('lead.threshold'), ''], rows, { class: 'evidence' });
}

function modelsCard(lead) {
  return (lead.models ?? []).map((m) => {
    const parts = (m.parts ?? []);
    const logistic = parts.length && parts.every((p) => 'contribution' in p);
    return h('div', { class: 'model' },
      h('h3', null, `${m.model} = ${fmtNum(m.value)}`),
      logistic
        ? hbars(parts.map((p) => ({ label: `${p.input}=${fmtNum(p.value)}`, value: p.contribution })), { title: m.model })
        // other model kinds have one part of named figures (observed, lambda; x, mean, sd; …)
        : hbars(parts.flatMap((p) => Object.entries(p).filter(([, v]) => typeof v === 'number')
          .map(([k, v]) => ({ label: label('part', k), value: v }))), { title: m.model }));
  });
}

// Event ids carry no time in the lead record; the trigger event has event_time. Objects
// with a time (should the API give them) are placed on the axis by it.
function eventsCard(lead) {
  const evs = lead.events ?? [];
  const ids = evs.map((e) => (typeof e === 'string' ? e : e.id));
  // rules on the latest value of a stream (last()) list no events: the trigger still counts
  const all = lead.trigger_event && !ids.includes(lead.trigger_event) ? [...evs, lead.trigger_event] : evs;
  const points = all.map((e) => {
    const id = typeof e === 'string' ? e : e.id;
    const time = Date.parse(id === lead.trigger_event ? lead.event_time : e.time);
    return { id, time, label: id + (e.type ? ` ${e.type}` : ''), kind: id === lead.trigger_event ? 'trigger' : 'event' };
  });
  return [h('p', { class: 'muted' }, evs.length ? t('lead.events_note', { n: evs.length }) : t('lead.events_none')),
    timeline(points, { title: t('lead.events') }),
    h('ol', { class: 'event-ids' }, points.map((p) => h('li', { class: p.kind === 'trigger' ? 'trigger' : null },
      h('code', null, p.id), p.kind === 'trigger' ? ` ← ${t('lead.trigger')} ${fmtTime(lead.event_time)}` : null)))];
}

function clausesCard(lead) {
  return (lead.clauses ?? []).map((c) => {
    const link = h('a', { href: `#/statutes/${encodeURIComponent(c.ref)}` }, t('lead.statute_link'));
    const head = h('h3', null, `《${c.law}》${c.label}`, h('span', { class: 'muted small' }, ` ${c.ref} · ${c.version} `), link);
    if (!c.changed) return h('div', { class: 'clause' }, head, h('p', { class: 'clause-text' }, c.text));
    if (c.changed.repealed)
      return h('div', { class: 'clause changed' }, head, h('p', { class: 'changed-note' }, t('lead.clause_repealed', { date: c.changed.date })),
        h('p', { class: 'clause-text' }, c.text));
    return h('div', { class: 'clause changed' }, head,
      h('p', { class: 'changed-note' }, t('lead.clause_changed', { date: c.changed.date })),
      sideBySide(c.text, c.changed.text, t('lead.version_then', { v: c.version }), t('lead.version_now', { v: c.changed.date })));
  });
}

function dispositionView(d) {
  if (!d) return h('p', { class: 'muted' }, t('common.none'));
  return facts([
    [label('status', d.result), d.result === 'confirmed' ? label('measure', d.measure) : label('reason', d.reason)],
    [t('disp.decision_ref'), d.decision_ref],
    [t('disp.note'), d.note],
    [t('disp.by'), d.by], [t('disp.at'), fmtTime(d.at)],
    [label('action', 'close'), d.closed_by ? t('disp.closed', { by: d.closed_by, at: fmtTime(d.closed_at) }) : null],
  ]);
}

function timelineCard(entries) {
  return h('ol', { class: 'audit-trail', id: 'timeline' }, entries.map((e) => {
    return h('li', { 'data-action': e.action },
      h('div', { class: 'when' }, fmtTime(e.time)),
      h('div', null, h('strong', null, label('action', e.action)), ' · ', actorName(e.actor),
        e.role ? h('span', { class: 'muted' }, ` (${label('role', e.role)})`) : null,
        e.revision ? h('span', { class: 'muted small' }, ` r${e.revision}`) : null),
      detailsView(e), changesView(e.changes));
  }));
}

export async function render(ctx) {
  const id = ctx.params[0];
  ctx.title(t('lead.title', { id }));
  const view = await api(`/api/leads/${encodeURIComponent(id)}`);
  const draw = (v, done) => {
    const { lead } = v;
    const due = lead.due ?? {};
    const flash = done ? h('p', { class: 'ok', id: 'done' }, t('lead.done', { a: label('action', done) })) : '';
    ctx.el.replaceChildren(
      h('div', { class: 'page-head' }, levelBadge(lead.level),
        h('h1', null, lead.rule_title ?? lead.rule), statusBadge(lead.status),
        lead.overdue ? h('span', { class: 'badge overdue' }, t('lead.overdue')) : null,
        lead.urges ? h('span', { class: 'badge urged' }, t('lead.urges', { n: lead.urges })) : null,
        lead.mode === 'shadow' ? h('span', { class: 'badge shadow' }, t('lead.shadow')) : null),
      h('p', { class: 'message' }, lead.message ?? ''),
      flash,
      h('div', { class: 'grid2' },
        section(t('lead.title', { id: lead.id }), facts([
          [t('lead.entity'), h('a', { href: `#/entities/${encodeURIComponent(lead.entity)}` }, `${lead.entity_name ?? ''} ${lead.entity}`)],
          [t('col.rule'), `${lead.rule} · ${lead.ruleset ?? ''}`],
          [t('lead.region'), lead.region], [t('lead.department'), lead.department],
          [t('lead.assignee'), lead.assignee], [t('lead.created'), fmtTime(lead.created_at)],
          [t('lead.event_time'), fmtTime(lead.event_time)], [t('lead.hits'), lead.hits],
          [t('lead.escalates'), lead.escalates], [t('lead.revision'), lead.revision],
        ])),
        h('div', null,
          section(t('lead.due'), facts([
            [t('lead.accept_by'), h('span', { class: lead.overdue && dueOf(lead) === due.accept_by ? 'overdue' : null }, fmtTime(due.accept_by))],
            [t('lead.close_by'), h('span', { class: lead.overdue && dueOf(lead) !== due.accept_by ? 'overdue' : null }, fmtTime(due.close_by))],
          ])),
          section(t('lead.item'), lead.item ? facts([[lead.item.code, lead.item.name]]) : h('p', { class: 'muted' }, t('common.none'))),
          actionsCard(v, draw))),
      section(t('lead.why'), h('h3', null, t('lead.evidence')), evidenceCard(lead),
        lead.models?.length ? [h('h3', null, t('lead.models')), modelsCard(lead)] : null),
      section(t('lead.events'), eventsCard(lead)),
      section(t('lead.basis'), clausesCard(lead)),
      section(t('lead.disposition'), h('div', { id: 'disposition' }, dispositionView(lead.disposition))),
      section(t('lead.timeline'), timelineCard(v.timeline ?? [])),
      h('details', null, h('summary', null, 'JSON'), jsonView(lead)));
  };
  draw(view);
}
