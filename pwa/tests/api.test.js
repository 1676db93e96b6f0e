import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ApiError, createApi, describeError, NetworkError, parseProblem, readCookie } from '../js/api.js';
import { translator } from '../js/i18n.js';

function fakeServer(handler) {
  const calls = [];
  const fetchImpl = async (path, init) => {
    calls.push({ path, ...init });
    return handler(path, init);
  };
  return { calls, fetchImpl };
}

const json = (status, body, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

test('readCookie finds one cookie among others', () => {
  assert.equal(readCookie('a=1; csrftoken=abc%3D; b=2', 'csrftoken'), 'abc=');
  assert.equal(readCookie('a=1', 'csrftoken'), null);
  assert.equal(readCookie('', 'csrftoken'), null);
});

test('parseProblem reads our problems and Litestar defaults alike', () => {
  assert.deepEqual(parseProblem(401, { status: 401, code: 'bad_credentials', message: 'no', field: 'password' }), {
    status: 401, code: 'bad_credentials', message: 'no', field: 'password', errors: [],
  });
  assert.deepEqual(parseProblem(500, { status_code: 500, detail: 'Internal Server Error' }), {
    status: 500, code: 'http_500', message: 'Internal Server Error', field: null, errors: [],
  });
  assert.equal(parseProblem(502, null).code, 'http_502');
});

test('a POST carries the CSRF token from the cookie and the language', async () => {
  const server = fakeServer(() => json(200, { user: { username: 'inspector' } }));
  const api = createApi({ language: () => 'fr', cookies: () => 'csrftoken=tok', fetchImpl: server.fetchImpl });
  const body = await api.post('/api/auth/login', { username: 'inspector', password: 'x' });
  assert.equal(body.user.username, 'inspector');
  const [call] = server.calls;
  assert.equal(call.method, 'POST');
  assert.equal(call.headers['x-csrftoken'], 'tok');
  assert.equal(call.headers['Accept-Language'], 'fr');
  assert.equal(call.headers['Content-Type'], 'application/json');
  assert.deepEqual(JSON.parse(call.body), { username: 'inspector', password: 'x' });
  assert.equal(call.credentials, 'same-origin');
});

test('a GET carries no CSRF header', async () => {
  const server = fakeServer(() => json(200, { ok: true }));
  const api = createApi({ cookies: () => 'csrftoken=tok', fetchImpl: server.fetchImpl });
  await api.get('/api/auth/me');
  assert.equal(server.calls[0].headers['x-csrftoken'], undefined);
});

test('without a CSRF cookie, a GET first obtains one', async () => {
  let cookies = '';
  const server = fakeServer((path, init) => {
    if (init.method === 'GET') {
      cookies = 'csrftoken=fresh';
      return json(401, { status: 401, code: 'not_authenticated', message: '' }, 'application/problem+json');
    }
    return new Response(null, { status: 204 });
  });
  const api = createApi({ cookies: () => cookies, fetchImpl: server.fetchImpl });
  assert.equal(await api.post('/api/auth/logout'), null);
  assert.deepEqual(server.calls.map((c) => c.method), ['GET', 'POST']);
  assert.equal(server.calls[1].headers['x-csrftoken'], 'fresh');
});

test('an error answer becomes an ApiError holding the problem', async () => {
  const problem = { status: 401, code: 'bad_credentials', message: 'اسم المستخدم أو كلمة المرور غير صحيحة.', field: 'password' };
  const server = fakeServer(() => json(401, problem, 'application/problem+json'));
  const api = createApi({ cookies: () => 'csrftoken=t', fetchImpl: server.fetchImpl });
  await assert.rejects(api.post('/api/auth/login', {}), (error) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 401);
    assert.equal(error.problem.field, 'password');
    assert.equal(error.message, problem.message);
    return true;
  });
});

test('no network becomes a NetworkError', async () => {
  const api = createApi({ fetchImpl: async () => { throw new TypeError('Failed to fetch'); } });
  await assert.rejects(api.get('/api/auth/me'), NetworkError);
});

test('describeError prefers the server message, then the catalogue', () => {
  const t = translator({ 'errors.network': 'offline!', 'errors.unknown': 'oops', 'errors.bad_credentials': 'wrong' });
  assert.deepEqual(describeError(new NetworkError(), t), { message: 'offline!', field: null });
  const withMessage = new ApiError(parseProblem(401, { code: 'bad_credentials', message: 'server says', field: 'password' }));
  assert.deepEqual(describeError(withMessage, t), { message: 'server says', field: 'password' });
  assert.equal(describeError(new ApiError(parseProblem(401, { code: 'bad_credentials' })), t).message, 'wrong');
  assert.equal(describeError(new ApiError(parseProblem(418, {})), t).message, 'oops');
});
