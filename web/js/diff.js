// Character-level difference of two clause texts (longest common subsequence), for
// showing what an amendment changed. Clause texts are short (a few hundred characters).
import { h } from './dom.js';

export function diffChars(a, b) {
  const A = [...a], B = [...b];
  const n = A.length, m = B.length;
  if (n * m > 4e6) return [{ op: 'del', text: a }, { op: 'ins', text: b }];
  const L = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) L[i][j] = A[i] === B[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out = [];
  const push = (op, ch) => {
    const last = out[out.length - 1];
    if (last && last.op === op) last.text += ch;
    else out.push({ op, text: ch });
  };
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (A[i] === B[j]) { push('eq', A[i]); i++; j++; }
    else if (L[i + 1][j] >= L[i][j + 1]) push('del', A[i++]);
    else push('ins', B[j++]);
  }
  while (i < n) push('del', A[i++]);
  while (j < m) push('ins', B[j++]);
  return out;
}

// Two texts side by side: deletions marked in the old one, insertions in the new one.
export function sideBySide(oldText, newText, oldTitle, newTitle) {
  const d = diffChars(oldText ?? '', newText ?? '');
  const left = d.filter((x) => x.op !== 'ins').map((x) => (x.op === 'del' ? h('del', null, x.text) : x.text));
  const right = d.filter((x) => x.op !== 'del').map((x) => (x.op === 'ins' ? h('ins', null, x.text) : x.text));
  return h('div', { class: 'sbs' },
    h('div', { class: 'clause-text old' }, h('h4', null, oldTitle), h('p', null, left)),
    h('div', { class: 'clause-text new' }, h('h4', null, newTitle), h('p', null, right)));
}
