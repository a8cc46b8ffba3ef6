// The supervisor's desk: dispositions awaiting review (close or send back right here),
// overdue leads and urged leads.
import { api, qs } from '../api.js';
import { errorBox, h, section } from '../dom.js';
import { label, t } from '../i18n.js';
import { leadTable, OPEN_STATUSES } from './leadtable.js';

function reviewButtons(lead, reload, out) {
  const note = h('input', { name: 'note', placeholder: t('review.note_ph'), size: 18, class: 'note-input' });
  const act = async (action) => {
    out.replaceChildren();
    const body = { action, revision: lead.revision };
    if (note.value.trim()) body.note = note.value.trim();
    try {
      await api(`/api/leads/${encodeURIComponent(lead.id)}/actions`, { method: 'POST', body });
      reload();
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  };
  return h('div', { class: 'inline-actions' },
    h('span', { class: 'muted small' }, lead.disposition
      ? `${label('status', lead.disposition.result)}：${label(lead.disposition.measure ? 'measure' : 'reason', lead.disposition.measure ?? lead.disposition.reason)} — ${lead.disposition.note ?? ''}`
      : ''),
    h('button', { class: 'action-close', onclick: () => act('close') }, t('review.close')),
    note,
    h('button', { class: 'secondary action-send_back', onclick: () => act('send_back') }, t('review.send_back')));
}

async function part(title, id, params, extra) {
  const box = h('div', { id });
  try {
    const res = await api('/api/leads' + qs({ limit: 100, ...params }));
    box.append(h('p', { class: 'muted' }, t('common.total', { n: res.total })),
      res.leads.length ? leadTable(res.leads, extra) : h('p', { class: 'empty' }, t('queue.empty')));
  } catch (err) {
    box.append(errorBox(err));
  }
  return section(title, box);
}

export async function render(ctx) {
  ctx.title(t('review.title'));
  const out = h('div', { id: 'review-out' });
  const reload = () => {
    ctx.el.replaceChildren();
    render(ctx).catch((err) => ctx.el.append(errorBox(err)));
  };
  // only a supervisor closes or sends back (leads.md); others opening this page by its
  // address see the lists without the buttons
  const canReview = ctx.me?.role === 'supervisor';
  const [pending, overdue, urged] = await Promise.all([
    part(t('review.pending'), 'review-pending', { status: 'confirmed,dismissed', sort: 'due' },
      canReview ? { extra: (l) => reviewButtons(l, reload, out), extraHeader: t('col.actions') } : undefined),
    part(t('review.overdue'), 'review-overdue', { status: OPEN_STATUSES, overdue: 'true', sort: 'due' }),
    part(t('review.urged'), 'review-urged', { status: OPEN_STATUSES, urged: 'true', sort: 'due' }),
  ]);
  ctx.el.append(h('div', { class: 'page-head' }, h('h1', null, t('review.title'))), out, pending, overdue, urged);
}
