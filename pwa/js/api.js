// The one way the PWA talks to the server: JSON over fetch, same origin, with the CSRF header on
// every state-changing request and errors turned into problems `{status, code, message, field}`.

export const CSRF_COOKIE = 'csrftoken';
export const CSRF_HEADER = 'x-csrftoken';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The server answered with an error; `problem` is `{status, code, message, field, errors}`. */
export class ApiError extends Error {
  constructor(problem) {
    super(problem.message || problem.code);
    this.name = 'ApiError';
    this.problem = problem;
  }

  get status() {
    return this.problem.status;
  }
}

/** The server could not be reached (offline, DNS, connection reset): the request may be retried. */
export class NetworkError extends Error {
  constructor(cause) {
    super('network unreachable', { cause });
    this.name = 'NetworkError';
  }
}

export function readCookie(cookieString, name) {
  for (const part of cookieString.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** Any error body → one problem shape; Litestar's own `{status_code, detail}` included. */
export function parseProblem(status, body) {
  const data = body !== null && typeof body === 'object' ? body : {};
  return {
    status,
    code: typeof data.code === 'string' ? data.code : `http_${status}`,
    message: typeof data.message === 'string' ? data.message : typeof data.detail === 'string' ? data.detail : '',
    field: typeof data.field === 'string' ? data.field : null,
    errors: Array.isArray(data.errors) ? data.errors : [],
  };
}

/**
 * A client bound to the page: `language()` gives the language to ask messages in, `cookies()` the
 * cookie string (document.cookie in the browser). Returns `{ request, get, post, patch }`.
 */
export function createApi({
  language = () => 'ar',
  cookies = () => globalThis.document?.cookie ?? '',
  fetchImpl = (...args) => globalThis.fetch(...args),
  timeoutMs = 15000, // a poor connection that never answers counts as no connection
} = {}) {
  async function request(method, path, body) {
    const headers = { Accept: 'application/json', 'Accept-Language': language() };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (!SAFE_METHODS.has(method)) {
      // Litestar sets the CSRF cookie on any GET; a page served by the service worker may not
      // have made one yet.
      if (readCookie(cookies(), CSRF_COOKIE) === null) await request('GET', '/api/auth/me').catch(() => {});
      const token = readCookie(cookies(), CSRF_COOKIE);
      if (token !== null) headers[CSRF_HEADER] = token;
    }
    let response;
    try {
      response = await fetchImpl(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new NetworkError(error);
    }
    const isJson = /json/.test(response.headers.get('content-type') ?? '');
    const data = isJson && response.status !== 204 ? await response.json().catch(() => null) : null;
    if (!response.ok) throw new ApiError(parseProblem(response.status, data));
    return data;
  }

  return {
    request,
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body),
    patch: (path, body) => request('PATCH', path, body),
  };
}

/** What to tell the user about a failed request: `{message, field}` in their language. */
export function describeError(error, t) {
  if (error instanceof NetworkError) return { message: t('errors.network'), field: null };
  if (error instanceof ApiError) {
    const { code, message, field } = error.problem;
    const known = t.has(`errors.${code}`) ? t(`errors.${code}`) : t('errors.unknown');
    return { message: message || known, field };
  }
  console.error(error);
  return { message: t('errors.unknown'), field: null };
}
