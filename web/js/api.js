// The HTTP API of docs/api.md. The token lives in sessionStorage: it ends with the tab
// and is never written anywhere a later visitor of the machine would find it.
import { t } from './i18n.js';

const KEY = 'regwatch.session';

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export function saveSession(token, me) {
  sessionStorage.setItem(KEY, JSON.stringify({ token, me }));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

// Query string from an object, leaving out empty values.
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}

// Resolves with the parsed JSON; rejects with an ApiError carrying the API's own
// error.message (Chinese), so every screen can show it as it is.
export async function api(path, { method = 'GET', body, token } = {}) {
  const tok = token ?? session()?.token;
  const headers = { Accept: 'application/json' };
  if (tok) headers.Authorization = 'Bearer ' + tok;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', t('err.network') + e.message);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // handled below: an error body may be plain text, a success body may not
  }
  if (!res.ok) {
    const e = data?.error;
    const err = new ApiError(res.status, e?.code ?? `http_${res.status}`,
      e?.message ?? `HTTP ${res.status} ${text.slice(0, 200)}`, data);
    if (res.status === 401 && !token) window.dispatchEvent(new CustomEvent('rw-unauthorized', { detail: err }));
    throw err;
  }
  if (data === null) throw new ApiError(res.status, 'bad_json', t('err.badjson'));
  return data;
}
