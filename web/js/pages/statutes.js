// The statute browser: the clauses the loaded rules cite (the API has no list of all
// laws), any clause by reference, its versions and what each amendment changed.
import { api } from '../api.js';
import { sideBySide } from '../diff.js';
import { h, jsonView, section } from '../dom.js';
import { t } from '../i18n.js';

function refOf(c) {
  return typeof c === 'string' ? c : c.ref;
}

function lookupForm(ctx, value = '') {
  const input = h('input', { name: 'ref', id: 'statute-ref', size: 32, value, required: true });
  return h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); ctx.go('statutes/' + encodeURIComponent(input.value.trim())); } },
    h('label', { class: 'field' }, t('statutes.lookup'), input), h('button', { type: 'submit' }, t('common.search')));
}

export async function renderIndex(ctx) {
  ctx.title(t('statutes.title'));
  const [{ rules }, { laws }] = await Promise.all([api('/api/rules'), api('/api/laws').catch(() => ({ laws: [] }))]);
  // a law is headed by its title, as cited (《…》), its id after
  const titles = Object.fromEntries((laws ?? []).map((l) => [l.id, l.title]));
  const heading = (id) => (titles[id] ? `《${titles[id]}》 ` : '');
  const byLaw = new Map();
  for (const r of rules)
    for (const c of r.clauses ?? []) {
      const ref = refOf(c);
      const law = ref.split(/[@#]/)[0];
      if (!byLaw.has(law)) byLaw.set(law, new Map());
      const refs = byLaw.get(law);
      if (!refs.has(ref)) refs.set(ref, []);
      refs.get(ref).push(r.id);
    }
  ctx.el.append(h('h1', null, t('statutes.title')), lookupForm(ctx),
    section(t('statutes.cited'), [...byLaw.entries()].sort().map(([law, refs]) => h('div', { class: 'law' },
      h('h3', null, heading(law), h('span', { class: 'muted small' }, law)),
      h('ul', null, [...refs.entries()].sort().map(([ref, ids]) => h('li', null,
        h('a', { href: `#/statutes/${encodeURIComponent(ref)}` }, ref),
        h('span', { class: 'muted small' }, ` ${t('statutes.cited_by')}: ${ids.join(', ')}`))))))));
}

export async function renderClause(ctx) {
  const ref = ctx.params[0];
  ctx.title(ref);
  const c = await api(`/api/statutes/${encodeURIComponent(ref)}`);
  // docs/api.md names a version's date "version"; the service answers "effective"
  const versions = (c.versions ?? []).map((v) => ({ ...v, version: v.version ?? v.effective }));
  const compare = h('div', { id: 'compare' });
  const pick = (name, idx) => h('select', { name, onchange: () => show() },
    versions.map((v, i) => h('option', { value: i, selected: i === idx }, v.version)));
  const a = pick('from', Math.max(0, versions.length - 2)), b = pick('to', versions.length - 1);
  const show = () => {
    const va = versions[a.value], vb = versions[b.value];
    compare.replaceChildren(h('h3', null, t('statutes.compare', { a: va.version, b: vb.version })),
      sideBySide(va.text ?? '', vb.text ?? '', `${va.version} ${va.label ?? ''}`, `${vb.version} ${vb.label ?? ''}`));
  };
  ctx.el.append(h('div', { class: 'page-head' }, h('h1', null, `《${c.law}》`), h('code', null, c.ref),
    c.repealed ? h('span', { class: 'badge overdue' }, t('statutes.repealed', { date: c.repealed })) : null), lookupForm(ctx, ref),
    section(t('statutes.versions'), versions.map((v) => h('div', { class: v.changed ? 'clause changed' : 'clause' },
      h('h3', null, `${v.label ?? ''} `, h('span', { class: 'muted small' }, t('statutes.effective', { v: v.version })),
        v.changed ? h('span', { class: 'changed-note' }, ` ${t('statutes.amended')}`) : null),
      h('p', { class: 'clause-text' }, v.text ?? '—')))));
  if (versions.length > 1) {
    ctx.el.append(section(t('statutes.diffs'), h('div', { class: 'filters' }, a, '→', b), compare));
    show();
  }
  if (c.diffs?.length) ctx.el.append(h('details', null, h('summary', null, t('statutes.diffs') + ' (JSON)'), jsonView(c.diffs)));
}
