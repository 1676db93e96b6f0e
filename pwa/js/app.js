// The app: picks the language, finds who is signed in (from this device first, then from the
// server), shows the matching screen, and offers service-worker updates. Its state lives in
// start()'s closure, one object, and is handed to the screens as plain values and callbacks.
// Once signed in, the place is in the URL's hash (screens/routes.js): the work list, or the
// checklist, findings or submission of a visit; the sync bar stays at the bottom of every one.
import { createApi } from './api.js';
import { applyLanguage, chooseLanguage, DEFAULT_LANGUAGE, isLanguage, loadCatalogue, translator } from './i18n.js';
import { listenForPush, refreshPush } from './push.js';
import { checklistScreen } from './screens/checklist.js';
import { findingsScreen } from './screens/findings.js';
import { homeScreen } from './screens/home.js';
import { parseRoute } from './screens/routes.js';
import { signInScreen } from './screens/signin.js';
import { submitScreen } from './screens/submit.js';
import { workListScreen } from './screens/work-list.js';
import { createSession } from './session.js';
import { openStore } from './store.js';
import { startSync, syncNow } from './sync/engine.js';
import { registerServiceWorker } from './sw-client.js';
import { syncBar } from './widgets/sync-bar.js';
import { updateBanner } from './widgets/update-banner.js';

const LANGUAGE_KEY = 'rasd.language'; // this device's choice, in localStorage

export async function start(doc) {
  const view = doc.getElementById('app');
  const updateRegion = doc.getElementById('update');
  const networkStatus = doc.getElementById('network-status');
  const state = { lang: DEFAULT_LANGUAGE, t: translator({}), user: null, offline: false, notice: null, update: null, store: null };
  // The sync bar's place: after the screen, kept in view at the bottom (see app.css).
  const syncRegion = doc.createElement('div');
  syncRegion.className = 'sync-region';
  doc.body.append(syncRegion);
  let screenLife = new AbortController(); // aborted when a screen is replaced: it saves and unsubscribes
  let barLife = new AbortController();
  const api = createApi({ language: () => state.lang });
  const session = createSession(api);

  const query = new URL(doc.location.href).searchParams.get('lang');
  if (isLanguage(query)) localStorage.setItem(LANGUAGE_KEY, query);
  const chosen = () => localStorage.getItem(LANGUAGE_KEY);

  async function setLanguage(lang) {
    let messages = {};
    try {
      messages = await loadCatalogue(lang);
    } catch (error) {
      console.error(error); // keys stay visible: better than a blank screen
    }
    state.lang = lang;
    state.t = translator(messages);
    applyLanguage(doc, lang, state.t);
  }

  function screenFor(route, { focus, signal }) {
    const { t, lang, user, store } = state;
    const home = () => [
      homeScreen({ t, lang, user, offline: state.offline, api, onSignOut: signOut, onLanguage: changeLanguage }),
      store ? workListScreen({ t, lang, store, signal, user }) : null,
    ];
    if (!store || route.name === 'home') return home();
    const common = { t, lang, store, visitId: route.visitId, signal, autofocus: focus };
    if (route.name === 'findings') return [findingsScreen(common)];
    if (route.name === 'submit') return [submitScreen({ ...common, user, onSubmitted: () => syncNow().catch(() => {}) })];
    return [checklistScreen({ ...common, itemKey: route.itemKey })];
  }

  function render({ focus = false } = {}) {
    const { t, lang, user } = state;
    if (user) startSync(); // once signed in (now or before, on this device); again after a new sign-in, it resumes
    if (user) startPush();
    screenLife.abort();
    screenLife = new AbortController();
    const route = user ? parseRoute(doc.location.hash) : { name: 'signin' };
    state.route = route.name;
    const screens = user
      ? screenFor(route, { focus, signal: screenLife.signal })
      : [signInScreen({ t, lang, notice: state.notice, onSubmit: signIn, onLanguage: changeLanguage })];
    view.replaceChildren(...screens.filter(Boolean));
    renderSyncBar();
    renderStatus();
    renderUpdate();
    if (focus) view.querySelector('h1')?.focus();
  }

  // Once per signed-in user: register this device's push subscription again (never prompts), and
  // follow the service worker's requests to go to a notification's page.
  let stopPush = null;
  function startPush() {
    if (stopPush) return;
    stopPush = listenForPush({ api, onNavigate: (url) => {
      const { hash } = new URL(url, doc.location.href);
      if (hash !== doc.location.hash) doc.location.hash = hash;
    } });
    refreshPush({ api }).catch((error) => console.warn('rasd: push subscription not refreshed', error));
  }

  function renderSyncBar() {
    barLife.abort();
    barLife = new AbortController();
    if (!state.user || !state.store) return syncRegion.replaceChildren();
    return syncRegion.replaceChildren(syncBar({ t: state.t, lang: state.lang, store: state.store, onSyncNow: syncNow, signal: barLife.signal }));
  }

  function renderStatus() {
    networkStatus.textContent = state.t('network.offline');
    networkStatus.hidden = !state.offline;
  }

  function renderUpdate() {
    if (!state.update) return updateRegion.replaceChildren();
    const later = () => {
      state.update = null;
      renderUpdate();
    };
    return updateRegion.replaceChildren(updateBanner({ t: state.t, onApply: state.update, onLater: later }));
  }

  async function signIn(username, password) {
    state.user = await session.signIn(username, password);
    state.offline = false;
    state.notice = null;
    if (!chosen() && isLanguage(state.user.language) && state.user.language !== state.lang) {
      await setLanguage(state.user.language);
    }
    render({ focus: true });
  }

  async function signOut() {
    await session.signOut();
    state.user = null;
    stopPush?.();
    stopPush = null;
    if (doc.location.hash) history.replaceState(null, '', doc.location.pathname + doc.location.search); // the next user starts at the work list
    render({ focus: true });
  }

  async function changeLanguage(lang) {
    localStorage.setItem(LANGUAGE_KEY, lang);
    await setLanguage(lang);
    render();
    doc.getElementById('language')?.focus();
    if (state.user && !state.offline) session.saveLanguage(lang).catch(() => {}); // best effort
  }

  async function refresh() {
    const result = await session.refresh();
    if (result.stale) return false;
    state.user = result.user;
    state.offline = result.offline;
    state.notice = result.expired ? state.t('signin.expired') : null;
    return true;
  }

  // Offline first: show the user saved on this device at once, then ask the server. The sign-in
  // screen is drawn once and kept as it is (with what is being typed) unless something changed.
  state.store = await openStore().catch((error) => {
    console.error('rasd: the local store could not be opened', error); // the profile still shows
    return null;
  });
  const saved = await session.cached().catch(() => null);
  await setLanguage(chooseLanguage({ query, stored: chosen(), profile: saved?.language }));
  state.user = saved;
  state.offline = !navigator.onLine;
  render();
  if (await refresh()) {
    const wanted = chooseLanguage({ query, stored: chosen(), profile: state.user?.language });
    const languageChanged = wanted !== state.lang;
    if (languageChanged) await setLanguage(wanted);
    if (saved || state.user || state.notice || languageChanged) render();
    else renderStatus();
  }
  doc.documentElement.dataset.ready = 'true'; // the boot is over: for tests, and for styles

  // A visit's screens hold what is being typed: the network coming and going never redraws them.
  const redrawOnNetwork = () => state.route === 'home' || state.route === 'signin';
  globalThis.addEventListener('offline', () => {
    state.offline = true;
    if (state.user && redrawOnNetwork()) render();
    else renderStatus();
  });
  globalThis.addEventListener('online', async () => {
    const before = state.user;
    if (!(await refresh())) return;
    if ((before || state.user) && (redrawOnNetwork() || !state.user)) render();
    else renderStatus();
  });
  globalThis.addEventListener('hashchange', () => {
    if (state.user) render({ focus: true });
  });
  registerServiceWorker({
    onUpdateReady: (apply) => {
      state.update = apply;
      renderUpdate();
    },
  }).catch((error) => console.error('rasd: service worker registration failed', error));
}
