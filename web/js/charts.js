// Small SVG charts drawn from API data (no chart library, no server images).
import { fmtNum } from './dom.js';
import { label, LEVELS } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';
export const LEVEL_COLORS = { red: '#c62828', orange: '#ef6c00', yellow: '#f2b705', blue: '#1565c0' };

function s(tag, attrs = {}, ...kids) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const k of kids.flat()) if (k !== null && k !== undefined) el.append(k instanceof Node ? k : String(k));
  return el;
}

function svg(w, h, title, ...kids) {
  return s('svg', { viewBox: `0 0 ${w} ${h}`, width: w, height: h, role: 'img', 'aria-label': title, class: 'chart' },
    s('title', {}, title), ...kids);
}

function text(x, y, str, attrs = {}) {
  return s('text', { x, y, ...attrs }, str);
}

// A round upper bound for an axis.
function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// Horizontal bars, diverging around zero when any value is negative (model contributions);
// a null value is a row with no bar. The label column fits the longest label.
export function hbars(items, { title = '', width = 460, format = fmtNum, max: fixedMax } = {}) {
  const row = 22, valueW = 60;
  const labelW = Math.min(width / 2, 12 + Math.max(40, ...items.map((i) => [...i.label].reduce((a, c) => a + (c.charCodeAt(0) > 255 ? 11 : 6.6), 0))));
  const h = items.length * row + 8;
  const vals = items.map((i) => i.value).filter((v) => typeof v === 'number');
  const min = Math.min(0, ...vals);
  const max = fixedMax ?? Math.max(0, ...vals);
  const span = max - min || 1;
  const plotW = width - labelW - valueW;
  const x = (v) => labelW + ((v - min) / span) * plotW;
  const kids = [s('line', { x1: x(0), x2: x(0), y1: 2, y2: h - 4, class: 'axis' })];
  items.forEach((it, i) => {
    const y = 4 + i * row;
    if (typeof it.value !== 'number') {
      kids.push(text(labelW - 6, y + 14, it.label, { 'text-anchor': 'end', class: 'lbl' }), text(x(0) + 4, y + 14, '—', { class: 'val' }));
      return;
    }
    const x0 = Math.min(x(0), x(it.value)), x1 = Math.max(x(0), x(it.value));
    kids.push(text(labelW - 6, y + 14, it.label, { 'text-anchor': 'end', class: 'lbl' }),
      s('rect', { x: x0, y: y + 3, width: Math.max(1, x1 - x0), height: row - 8,
        class: it.value < 0 ? 'bar-neg' : 'bar-pos' }, s('title', {}, `${it.label}: ${format(it.value)}`)),
      text(width - valueW + 6, y + 14, format(it.value), { class: 'val' }));
  });
  return svg(width, h, title, kids);
}

// One evidence value beside its threshold: the bar is the value, the mark the threshold.
export function gauge(value, threshold, compared) {
  const w = 180, hgt = 18;
  if (typeof value !== 'number') return svg(w, hgt, String(value));
  const top = niceMax(Math.max(Math.abs(value), Math.abs(threshold ?? 0)) * 1.15);
  const x = (v) => 2 + (Math.max(0, v) / top) * (w - 4);
  const kids = [s('rect', { x: 2, y: 4, width: w - 4, height: hgt - 8, class: 'gauge-bg' }),
    s('rect', { x: 2, y: 4, width: Math.max(1, x(value) - 2), height: hgt - 8, class: 'gauge-val' })];
  if (typeof threshold === 'number')
    kids.push(s('line', { x1: x(threshold), x2: x(threshold), y1: 0, y2: hgt, class: 'gauge-thr' }));
  return svg(w, hgt, `${fmtNum(value)} ${compared ?? ''} ${threshold ?? ''}`, kids);
}

// Leads by month, stacked by level: {"2026-03": {"red": 2, "orange": 5}, ...}; a plain count
// per month ({"2026-03": 7}, as backtest reports give) is one neutral bar.
export function stackedMonths(counts, { title = '', width = 640, height = 220 } = {}) {
  const byMonth = Object.fromEntries(Object.entries(counts ?? {}).map(([m, v]) => [m, typeof v === 'number' ? { all: v } : v]));
  const months = Object.keys(byMonth).sort();
  const padL = 40, padB = 40, padT = 24;
  const series = [...LEVELS, 'all'];
  const totals = months.map((m) => series.reduce((a, l) => a + (byMonth[m][l] ?? 0), 0));
  const top = niceMax(Math.max(0, ...totals));
  const plotH = height - padB - padT;
  const bw = Math.min(48, (width - padL - 10) / Math.max(1, months.length) - 6);
  const every = Math.ceil(34 / (bw + 6)); // month labels need about 34 px each
  const y = (v) => padT + plotH - (v / top) * plotH;
  const kids = [s('line', { x1: padL, x2: width - 4, y1: y(0), y2: y(0), class: 'axis' }),
    text(padL - 4, y(top) + 4, fmtNum(top), { 'text-anchor': 'end', class: 'tick' }),
    text(padL - 4, y(0) + 4, '0', { 'text-anchor': 'end', class: 'tick' })];
  months.forEach((m, i) => {
    const x = padL + 6 + i * (bw + 6);
    let acc = 0;
    for (const l of series) {
      const n = byMonth[m][l] ?? 0;
      if (!n) continue;
      kids.push(s('rect', { x, y: y(acc + n), width: bw, height: y(acc) - y(acc + n), fill: LEVEL_COLORS[l] ?? '#8d9aa6' },
        s('title', {}, `${m} ${l === 'all' ? '' : label('level', l)}: ${n}`)));
      acc += n;
    }
    if (i % every === 0) kids.push(text(x + bw / 2, height - padB + 14, m.slice(2), { 'text-anchor': 'middle', class: 'tick' }));
    if (bw >= 14) kids.push(text(x + bw / 2, y(acc) - 3, acc, { 'text-anchor': 'middle', class: 'tick' }));
  });
  if (months.some((m) => LEVELS.some((l) => byMonth[m][l]))) LEVELS.forEach((l, i) => kids.push(
    s('rect', { x: padL + i * 70, y: height - 16, width: 10, height: 10, fill: LEVEL_COLORS[l] }),
    text(padL + i * 70 + 14, height - 7, label('level', l), { class: 'tick' })));
  if (!months.length) kids.push(text(width / 2, height / 2, '—', { 'text-anchor': 'middle' }));
  return svg(width, height, title, kids);
}

// A sweep: leads (left axis) and precision (right axis, 0–1) over the swept values.
export function sweepChart(points, { title = '', width = 640, height = 260, leadsLabel = '', precLabel = '' } = {}) {
  const padL = 48, padR = 48, padB = 40, padT = 20;
  const plotW = width - padL - padR, plotH = height - padT - padB;
  const top = niceMax(Math.max(0, ...points.map((p) => p.leads ?? 0)));
  const x = (i) => padL + (points.length > 1 ? (i / (points.length - 1)) * plotW : plotW / 2);
  const yl = (v) => padT + plotH - (v / top) * plotH;
  const yr = (v) => padT + plotH - v * plotH;
  const kids = [s('line', { x1: padL, x2: padL + plotW, y1: yl(0), y2: yl(0), class: 'axis' }),
    s('line', { x1: padL, x2: padL, y1: padT, y2: yl(0), class: 'axis' }),
    s('line', { x1: padL + plotW, x2: padL + plotW, y1: padT, y2: yl(0), class: 'axis' }),
    text(padL - 4, yl(top) + 4, fmtNum(top), { 'text-anchor': 'end', class: 'tick' }),
    text(padL - 4, yl(0) + 4, '0', { 'text-anchor': 'end', class: 'tick' }),
    text(padL + plotW + 4, yr(1) + 4, '100%', { class: 'tick' }),
    text(padL + plotW + 4, yr(0) + 4, '0%', { class: 'tick' }),
    text(padL, padT - 6, leadsLabel, { class: 'tick series-leads' }),
    text(padL + plotW, padT - 6, precLabel, { 'text-anchor': 'end', class: 'tick series-prec' })];
  const line = (key, y) => points.map((p, i) => (typeof p[key] === 'number' ? `${x(i)},${y(p[key])}` : null))
    .filter(Boolean).join(' ');
  kids.push(s('polyline', { points: line('leads', yl), class: 'line-leads' }),
    s('polyline', { points: line('precision', yr), class: 'line-prec' }));
  points.forEach((p, i) => {
    kids.push(text(x(i), height - padB + 16, fmtNum(p.value), { 'text-anchor': 'middle', class: 'tick' }));
    if (typeof p.leads === 'number')
      kids.push(s('circle', { cx: x(i), cy: yl(p.leads), r: 4, class: 'dot-leads' },
        s('title', {}, `${fmtNum(p.value)}: ${p.leads}`)));
    if (typeof p.precision === 'number')
      kids.push(s('circle', { cx: x(i), cy: yr(p.precision), r: 4, class: 'dot-prec' },
        s('title', {}, `${fmtNum(p.value)}: ${(p.precision * 100).toFixed(1)}%`)));
  });
  return svg(width, height, title, kids);
}

// Points on a line ({time: ms or NaN, label, kind}): by time when every point has one,
// otherwise in the order given, evenly spaced, with the known times written under them.
export function timeline(points, { title = '', width = 680 } = {}) {
  const height = 64, pad = 20, usable = width - 2 * pad;
  const allTimed = points.length > 0 && points.every((p) => Number.isFinite(p.time));
  const list = allTimed ? [...points].sort((a, b) => a.time - b.time) : points;
  const t0 = allTimed ? list[0].time : 0, t1 = allTimed ? list[list.length - 1].time : 0;
  const xOf = (p, i) => pad + (allTimed
    ? (t1 > t0 ? ((p.time - t0) / (t1 - t0)) * usable : usable / 2)
    : (list.length > 1 ? (i / (list.length - 1)) * usable : usable / 2));
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  const kids = [s('line', { x1: pad, x2: width - pad, y1: 30, y2: 30, class: 'axis' })];
  list.forEach((p, i) => {
    const x = xOf(p, i);
    kids.push(s('circle', { cx: x, cy: 30, r: p.kind === 'trigger' ? 7 : 5, class: `tl-${p.kind ?? 'event'}` },
      s('title', {}, p.label)));
    const edge = i === 0 || i === list.length - 1;
    if (Number.isFinite(p.time) && (edge || !allTimed))
      kids.push(text(x, 56, day(p.time), { class: 'tick', 'text-anchor': i === 0 ? 'start' : i === list.length - 1 ? 'end' : 'middle' }));
  });
  return svg(width, height, title, kids);
}
