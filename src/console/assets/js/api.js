// Calls the admin API with the console session: the cookie goes by itself (same origin); the CSRF
// token, held in memory only, goes as a header on every change.
let csrfToken = null;
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }
  get code() { return this.problem.code; }
  /** Field errors from problem `errors[]`: path → message. */
  fieldErrors() { return (this.problem.errors ?? []).map((e) => ({ path: e.path, message: e.message })); }
}

export const setCsrfToken = (token) => { csrfToken = token; };
export const whenSignedOut = (fn) => { onSignedOut = fn; };

export async function api(method, path, body, headers = {}) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json', ...headers } };
  if (method !== 'GET' && csrfToken) init.headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text }; }
  if (!response.ok) {
    if (response.status === 401 && path !== '/admin/session') onSignedOut();
    throw new ApiError(response.status, data);
  }
  return { status: response.status, body: data, etag: response.headers.get('etag') };
}
