// Push notifications, from the page's side: ask for permission when the user asks for notifications
// (a settings button calls enablePush(); never on first load, where a prompt is refused or ignored),
// subscribe with the server's VAPID key, register the subscription, and send a test.
//
// The service worker (sw.js) shows the pushes and handles clicks; when a click should take an open
// page elsewhere it posts {type: 'rasd:navigate', url} and the page decides (listenForPush).
//
// Every function takes the api of createApi() (api.js) and, for tests, the browser objects it uses.

import { createApi } from './api.js';

const SUBSCRIPTIONS = '/api/push/subscriptions';

/** The bytes of a URL-safe base64 string (the form of the server's key), padded or not. */
export function base64UrlToBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

function sameBytes(a, b) {
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  return x.length === y.length && x.every((byte, index) => byte === y[index]);
}

function browser(env = globalThis) {
  return {
    navigator: env.navigator,
    Notification: env.Notification,
    supported: Boolean(env.navigator?.serviceWorker && env.PushManager && env.Notification),
  };
}

/**
 * Where this device stands: `{supported, permission, subscribed}`; permission is 'default',
 * 'granted' or 'denied' (denied can only be undone in the browser's site settings).
 */
export async function pushStatus({ env = globalThis } = {}) {
  const { navigator, Notification, supported } = browser(env);
  if (!supported) return { supported: false, permission: 'denied', subscribed: false };
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  return { supported: true, permission: Notification.permission, subscribed: subscription !== null };
}

async function subscribeWithServerKey(api, registration) {
  const { key } = await api.get('/api/push/vapid-public-key');
  const serverKey = base64UrlToBytes(key);
  let subscription = await registration.pushManager.getSubscription();
  const made = subscription?.options?.applicationServerKey;
  if (subscription && made && !sameBytes(made, serverKey)) {
    await subscription.unsubscribe(); // made with an older server key: the server can no longer use it
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: serverKey });
  await api.post(SUBSCRIPTIONS, subscription.toJSON());
  return subscription;
}

/**
 * Ask for permission (call it from a click: browsers refuse prompts without a user gesture), then
 * subscribe and register. Resolves to pushStatus(); throws ApiError/NetworkError from the server.
 */
export async function enablePush({ api = createApi(), env = globalThis } = {}) {
  const { navigator, Notification, supported } = browser(env);
  if (!supported) return { supported: false, permission: 'denied', subscribed: false };
  const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  if (permission !== 'granted') return { supported: true, permission, subscribed: false };
  await subscribeWithServerKey(api, await navigator.serviceWorker.ready);
  return { supported: true, permission, subscribed: true };
}

/** Stop pushes to this device: unsubscribe in the browser and forget it on the server. */
export async function disablePush({ api = createApi(), env = globalThis } = {}) {
  const { navigator, supported } = browser(env);
  if (!supported) return;
  const subscription = await (await navigator.serviceWorker.ready).pushManager.getSubscription();
  if (!subscription) return;
  const { endpoint } = subscription;
  await subscription.unsubscribe();
  await api.request('DELETE', SUBSCRIPTIONS, { endpoint });
}

/** "Send me a test": the server pushes to every subscription of the signed-in user. */
export function sendTest({ api = createApi() } = {}) {
  return api.post('/api/push/test');
}

/**
 * At start, signed in, with permission already granted: register the current subscription again
 * (the browser may have renewed it while no page was open, or the server dropped it after a 410).
 * Never prompts. Resolves to true when a subscription was registered.
 */
export async function refreshPush({ api = createApi(), env = globalThis } = {}) {
  const { navigator, Notification, supported } = browser(env);
  if (!supported || Notification.permission !== 'granted') return false;
  const registration = await navigator.serviceWorker.ready;
  if (!(await registration.pushManager.getSubscription())) return false;
  await subscribeWithServerKey(api, registration);
  return true;
}

/**
 * Follow the service worker's requests: `onNavigate(url)` after a notification click on an open
 * page, and a re-registration when the worker could not reach the server itself. Returns a function
 * that stops listening.
 */
export function listenForPush({ api = createApi(), env = globalThis, onNavigate }) {
  const container = env.navigator?.serviceWorker;
  if (!container) return () => {};
  const listener = (event) => {
    const message = event.data ?? {};
    if (message.type === 'rasd:navigate' && typeof message.url === 'string') onNavigate(message.url);
    if (message.type === 'rasd:push-resubscribe') refreshPush({ api, env }).catch((error) => console.warn(error));
  };
  container.addEventListener('message', listener);
  return () => container.removeEventListener('message', listener);
}
