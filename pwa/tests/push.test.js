import assert from 'node:assert/strict';
import { test } from 'node:test';

import { base64UrlToBytes, disablePush, enablePush, listenForPush, pushStatus, refreshPush, sendTest } from '../js/push.js';

const SERVER_KEY = 'BBBa_QVQ2GUQwjyaJhER7_8QKg80XlSjbWCjzXd2tt6g9xdNLbZncS8pdQfhBHIkTG95A9H6634zHTbSrDZvD20';

/** A browser with a service worker registration, a push manager and a permission to ask for. */
function fakeBrowser({ permission = 'default', answer = 'granted', existing = null } = {}) {
  const calls = { prompts: 0, subscribe: [], unsubscribed: [] };
  let current = existing;
  const subscriptionFor = (options, endpoint = `https://push.example.com/${calls.subscribe.length}`) => ({
    endpoint,
    options,
    toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh: 'p', auth: 'a' } }),
    unsubscribe: async () => {
      calls.unsubscribed.push(endpoint);
      current = null;
      return true;
    },
  });
  if (existing) current = subscriptionFor(existing.options, existing.endpoint);
  const listeners = new Set();
  const registration = {
    pushManager: {
      getSubscription: async () => current,
      subscribe: async (options) => {
        current = subscriptionFor(options);
        calls.subscribe.push(options);
        return current;
      },
    },
  };
  const Notification = {
    permission,
    requestPermission: async () => {
      calls.prompts += 1;
      Notification.permission = answer;
      return answer;
    },
  };
  const env = {
    PushManager: function PushManager() {},
    Notification,
    navigator: {
      serviceWorker: {
        ready: Promise.resolve(registration),
        addEventListener: (type, listener) => type === 'message' && listeners.add(listener),
        removeEventListener: (type, listener) => listeners.delete(listener),
      },
    },
  };
  const post = (data) => [...listeners].forEach((listener) => listener({ data }));
  return { env, calls, post, current: () => current };
}

function fakeApi() {
  const sent = [];
  return {
    sent,
    get: async (path) => {
      sent.push(['GET', path]);
      return { key: SERVER_KEY };
    },
    post: async (path, body) => {
      sent.push(['POST', path, body]);
      return {};
    },
    request: async (method, path, body) => {
      sent.push([method, path, body]);
      return null;
    },
  };
}

test('base64UrlToBytes reads the unpadded URL-safe form of keys', () => {
  assert.deepEqual([...base64UrlToBytes('AAECAwQFBgcICQoLDA0ODw')], [...Array(16).keys()]);
  assert.deepEqual([...base64UrlToBytes('-_8')], [0xfb, 0xff]);
  assert.deepEqual([...base64UrlToBytes('-_8=')], [0xfb, 0xff]);
  const key = base64UrlToBytes(SERVER_KEY);
  assert.equal(key.length, 65);
  assert.equal(key[0], 4);
});

test('enablePush asks once, subscribes with the server key and registers the subscription', async () => {
  const { env, calls } = fakeBrowser();
  const api = fakeApi();
  assert.deepEqual(await enablePush({ api, env }), { supported: true, permission: 'granted', subscribed: true });
  assert.equal(calls.prompts, 1);
  assert.equal(calls.subscribe.length, 1);
  assert.equal(calls.subscribe[0].userVisibleOnly, true);
  assert.deepEqual([...calls.subscribe[0].applicationServerKey], [...base64UrlToBytes(SERVER_KEY)]);
  assert.deepEqual(api.sent.at(-1), [
    'POST', '/api/push/subscriptions', { endpoint: 'https://push.example.com/0', expirationTime: null, keys: { p256dh: 'p', auth: 'a' } },
  ]);
});

test('a refused permission subscribes nothing and tells the screen', async () => {
  const { env, calls } = fakeBrowser({ answer: 'denied' });
  const api = fakeApi();
  assert.deepEqual(await enablePush({ api, env }), { supported: true, permission: 'denied', subscribed: false });
  assert.equal(calls.subscribe.length, 0);
  assert.deepEqual(api.sent, []);
});

test('a subscription made with another server key is replaced', async () => {
  const old = { endpoint: 'https://push.example.com/old', options: { applicationServerKey: new Uint8Array([4, 1, 2]).buffer } };
  const { env, calls } = fakeBrowser({ permission: 'granted', existing: old });
  await enablePush({ api: fakeApi(), env });
  assert.equal(calls.prompts, 0);
  assert.deepEqual(calls.unsubscribed, ['https://push.example.com/old']);
  assert.equal(calls.subscribe.length, 1);
});

test('refreshPush re-registers a granted subscription and never prompts', async () => {
  const asking = fakeBrowser();
  assert.equal(await refreshPush({ api: fakeApi(), env: asking.env }), false);
  assert.equal(asking.calls.prompts, 0);

  const key = base64UrlToBytes(SERVER_KEY).buffer;
  const granted = fakeBrowser({ permission: 'granted', existing: { endpoint: 'https://push.example.com/x', options: { applicationServerKey: key } } });
  const api = fakeApi();
  assert.equal(await refreshPush({ api, env: granted.env }), true);
  assert.equal(granted.calls.subscribe.length, 0); // the same subscription, registered again
  assert.equal(api.sent.at(-1)[2].endpoint, 'https://push.example.com/x');
});

test('disablePush unsubscribes and forgets the endpoint on the server; sendTest asks for a test', async () => {
  const { env, current } = fakeBrowser({ permission: 'granted', existing: { endpoint: 'https://push.example.com/y', options: {} } });
  const api = fakeApi();
  await disablePush({ api, env });
  assert.equal(current(), null);
  assert.deepEqual(api.sent.at(-1), ['DELETE', '/api/push/subscriptions', { endpoint: 'https://push.example.com/y' }]);
  await sendTest({ api });
  assert.deepEqual(api.sent.at(-1), ['POST', '/api/push/test', undefined]);
  assert.deepEqual(await pushStatus({ env }), { supported: true, permission: 'granted', subscribed: false });
});

test('without service worker or Push API nothing is attempted', async () => {
  const env = { navigator: {}, Notification: undefined };
  assert.deepEqual(await enablePush({ api: fakeApi(), env }), { supported: false, permission: 'denied', subscribed: false });
  assert.equal(await refreshPush({ api: fakeApi(), env }), false);
  assert.equal(typeof listenForPush({ env, onNavigate: () => {} }), 'function');
});

test('listenForPush follows notification clicks on an open page until stopped', () => {
  const { env, post } = fakeBrowser();
  const urls = [];
  const stop = listenForPush({ api: fakeApi(), env, onNavigate: (url) => urls.push(url) });
  post({ type: 'rasd:navigate', url: 'http://127.0.0.1/#/visits/1' });
  post({ type: 'other' });
  stop();
  post({ type: 'rasd:navigate', url: 'http://127.0.0.1/#/visits/2' });
  assert.deepEqual(urls, ['http://127.0.0.1/#/visits/1']);
});
