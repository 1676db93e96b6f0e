// HTTP for the sync engine: push, pull and the resumable blob upload of protocol v1. Same origin,
// session cookie, CSRF header on every state-changing request (as api.js). Every failure becomes
// a SyncFailure whose `kind` tells the engine what to do:
//
//   'network'    no answer (offline, reset, timeout)            wait (backoff) and try again
//   'transient'  408, 429, 502, 503, 504                          wait (backoff) and try again
//   'auth'       401: the session is over                        wait for the next sign-in
//   'gap'        409 seq_gap, with `problem.expected_seq`        resend from the expected seq
//   'refused'    anything else (400, 403, 413, 415, 422 …)       the request itself is wrong

import { CSRF_COOKIE, CSRF_HEADER, readCookie } from '../api.js';

export const PUSH_PATH = '/api/sync/push';
export const PULL_PATH = '/api/sync/pull';
export const BLOBS_PATH = '/api/blobs';
const TRANSIENT = new Set([408, 429, 502, 503, 504]);

export class SyncFailure extends Error {
  constructor(kind, { status = 0, problem = {}, headers = null, cause } = {}) {
    super(problem.message || `${kind}${status ? ` (HTTP ${status})` : ''}`, { cause });
    this.name = 'SyncFailure';
    this.kind = kind;
    this.status = status;
    this.code = problem.code ?? (status ? `http_${status}` : kind);
    this.problem = problem;
    this.headers = headers;
    const retryAfter = Number(headers?.get?.('retry-after'));
    this.retryAfterMs = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : null;
  }
}

function kindOf(status, problem) {
  if (status === 401) return 'auth';
  if (status === 409 && problem.code === 'seq_gap') return 'gap';
  return TRANSIENT.has(status) ? 'transient' : 'refused';
}

export function createTransport({
  fetchImpl = (...args) => globalThis.fetch(...args),
  cookies = () => globalThis.document?.cookie ?? '',
  language = () => globalThis.document?.documentElement?.lang || 'ar',
  timeoutMs = 60_000, // a push is up to 2 MiB: room for a slow connection, not for a dead one
} = {}) {
  async function send(method, path, { body, headers = {} } = {}) {
    const all = { Accept: 'application/json', 'Accept-Language': language(), ...headers };
    if (!['GET', 'HEAD'].includes(method)) {
      // Litestar sets the CSRF cookie on any GET; a shell served by the service worker may have none yet.
      if (readCookie(cookies(), CSRF_COOKIE) === null) await send('GET', '/api/auth/me').catch(() => {});
      const token = readCookie(cookies(), CSRF_COOKIE);
      if (token !== null) all[CSRF_HEADER] = token;
    }
    let response;
    try {
      response = await fetchImpl(path, {
        method,
        headers: all,
        body,
        credentials: 'same-origin',
        cache: 'no-store',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new SyncFailure('network', { cause: error });
    }
    return response;
  }

  async function problemOf(response) {
    const data = await response.json().catch(() => null);
    const problem = data !== null && typeof data === 'object' ? data : {};
    return { ...problem, status: response.status, code: typeof problem.code === 'string' ? problem.code : `http_${response.status}` };
  }

  async function fail(response) {
    const problem = await problemOf(response);
    throw new SyncFailure(kindOf(response.status, problem), { status: response.status, problem, headers: response.headers });
  }

  async function json(response) {
    try {
      return await response.json();
    } catch (error) {
      // Cut in the middle of the body: the request may have done its work, the answer is lost.
      throw new SyncFailure('network', { cause: error });
    }
  }

  return {
    /** POST a push body (JSON text); the answer {last_seq, results}. */
    async push(body) {
      const response = await send('POST', PUSH_PATH, { body, headers: { 'Content-Type': 'application/json' } });
      if (!response.ok) await fail(response);
      return json(response);
    },

    /** One page after `cursor` (null: from the start). */
    async pull({ cursor = null, limit = 500, clientId = null } = {}) {
      const query = new URLSearchParams({ limit: String(limit) });
      if (cursor) query.set('cursor', cursor);
      if (clientId) query.set('client_id', clientId);
      const response = await send('GET', `${PULL_PATH}?${query}`);
      if (!response.ok) await fail(response);
      return json(response);
    },

    /** How many bytes of the blob the server holds: {offset, length}; offset 0 when it has none. */
    async headBlob(sha256) {
      const response = await send('HEAD', `${BLOBS_PATH}/${sha256}`);
      if (response.status === 404) return { offset: 0, length: null };
      if (!response.ok) await fail(response);
      return {
        offset: Number(response.headers.get('upload-offset') ?? 0),
        length: Number(response.headers.get('upload-length') ?? 0) || null,
      };
    },

    /**
     * Append `chunk` (a Blob) at `offset` of a blob of `length` bytes; the server's new offset.
     * A 409 or 422 is a SyncFailure whose `serverOffset` says where to resume.
     */
    async patchBlob(sha256, { offset, length, chunk }) {
      const response = await send('PATCH', `${BLOBS_PATH}/${sha256}`, {
        body: chunk,
        headers: {
          'Content-Type': 'application/offset+octet-stream',
          'Upload-Offset': String(offset),
          'Upload-Length': String(length),
        },
      });
      if (response.ok) return Number(response.headers.get('upload-offset') ?? offset + chunk.size);
      const problem = await problemOf(response);
      const failure = new SyncFailure(kindOf(response.status, problem), { status: response.status, problem, headers: response.headers });
      const serverOffset = response.headers.get('upload-offset');
      failure.serverOffset = serverOffset === null ? null : Number(serverOffset);
      throw failure;
    },
  };
}
