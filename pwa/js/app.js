// The app: picks the language, finds who is signed in (from this device first, then from the
// server), shows the matching screen, and offers service-worker updates. Its state lives in
// start()'s closure, one object, and is handed to the screens as plain values and callbacks.
// Once signed in, the place is in the URL's hash (screens/routes.js): the work list, or the
// checklist, findings or submission of a visit; the sync bar stays at the bottom of every one.
import { createApi } from './api.js';
import { applyLanguage, chooseLanguage, DEFAULT_LANGUAGE, isLanguage, loadCatalogue, translator } from './i18n.js';
import { parseRoute } from './screens/routes.js';
import { createSession } from './session.js';
import { openStore } from './store.js';

// The code of each screen and of what runs beside them, fetched the first time it is needed (the
// module map keeps it): a cold start on a slow phone compiles the screen in view and little else,
// and sync, push and the update check load once that screen is drawn. Offline, the service worker
// holds every one of these files, so a screen never waits for the network.
const load = {
  signin: () => import('./screens/signin.js'),
  home: () => Promise.all([import('./screens/home.js'), import('./screens/work-list.js')]),
  checklist: () => import('./screens/checklist.js'),
  findings: () => import('./screens/findings.js'),
  submit: () => import('./screens/submit.js'),
  syncBar: () => import('./widgets/sync-bar.js'),
  updateBanner: () => import('./widgets/update-banner.js'),
  sync: () => import('./sync/engine.js'),
  push: () => import('./push.js'),
  serviceWorker: () => import('./sw-client.js'),
};

const LANGUAGE_KEY = 'rasd.language'; // this device's choice, in localStorage

// Once the first screen is up and the page is idle, the code of every other screen and item type
// is loaded too: moving to another screen then waits for nothing, and this page keeps running the
// version of the app it started with even if another tab accepts an update meanwhile (the new
// service worker would otherwise answer this page's later imports with the new version's files).
function loadTheRest() {
  const items = import('./widgets/item-components.js').then(({ ITEM_TYPES, loadItemComponents }) => loadItemComponents(ITEM_TYPES));
  Promise.all([...Object.values(load).map((loader) => loader()), items])
    .catch((error) => console.warn('rasd: some screens will load when opened', error));
}

function whenIdle(task) {
  if (typeof globalThis.requestIdleCallback === 'function') globalThis.requestIdleCallback(task, { timeout: 5000 });
  else setTimeout(task, 1000);
}

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

  const catalogues = new Map(); // language → the promise of its messages, asked for once
  const catalogue = (lang) => {
    if (!catalogues.has(lang)) catalogues.set(lang, loadCatalogue(lang));
    return catalogues.get(lang);
  };

  async function setLanguage(lang) {
    let messages = {};
    try {
      messages = await catalogue(lang);
    } catch (error) {
      catalogues.delete(lang); // asked again next time
      console.error(error); // keys stay visible: better than a blank screen
    }
    state.lang = lang;
    state.t = translator(messages);
    applyLanguage(doc, lang, state.t);
  }

  // The code of the screens of a route: fetched once, then from the module map.
  function codeFor(route) {
    if (!state.user) return load.signin();
    if (!state.store || route.name === 'home') return load.home();
    return load[route.name]();
  }

  // The screens of a route, built from its code (what codeFor gave): an array of elements.
  function screensFor(route, code, { focus, signal }) {
    const { t, lang, user, store } = state;
    if (!user) return [code.signInScreen({ t, lang, notice: state.notice, onSubmit: signIn, onLanguage: changeLanguage })];
    if (!store || route.name === 'home') {
      const [{ homeScreen }, { workListScreen }] = code;
      return [
        homeScreen({ t, lang, user, offline: state.offline, api, onSignOut: signOut, onLanguage: changeLanguage }),
        store ? workListScreen({ t, lang, store, signal, user }) : null,
      ];
    }
    const common = { t, lang, store, visitId: route.visitId, signal, autofocus: focus };
    if (route.name === 'findings') return [code.findingsScreen(common)];
    if (route.name === 'submit') return [code.submitScreen({ ...common, user, onSubmitted: () => syncNow().catch(() => {}) })];
    return [code.checklistScreen({ ...common, itemKey: route.itemKey })];
  }

  // Draw the screen of the current place. A render still waiting for its code when another starts
  // draws nothing: the latest one wins. The screen in view stays live until the code of the next
  // is here, and is closed (it saves what is being typed) before the next one reads the store.
  let renders = 0;
  async function render({ focus = false } = {}) {
    const ticket = ++renders;
    const route = state.user ? parseRoute(doc.location.hash) : { name: 'signin' };
    state.route = route.name;
    let code = null;
    try {
      code = await codeFor(route);
    } catch (error) {
      console.error('rasd: the code of a screen could not be loaded', error);
    }
    if (ticket !== renders) return;
    screenLife.abort();
    screenLife = new AbortController();
    const screens = code ? screensFor(route, code, { focus, signal: screenLife.signal }) : [errorScreen()];
    view.replaceChildren(...screens.filter(Boolean));
    renderStatus();
    renderUpdate();
    if (focus) view.querySelector('h1')?.focus();
    await renderSyncBar().catch((error) => console.error('rasd: sync bar', error));
    if (state.user) startBackground(); // once signed in (now or before, on this device); again after a new sign-in, it resumes
  }

  function errorScreen() {
    return Object.assign(doc.createElement('p'), { className: 'alert', role: 'alert', textContent: state.t('errors.unknown') });
  }

  // Sync and push, loaded and started once the first screen is drawn. startSync() is idempotent: it
  // resumes after a new sign-in. Push: once per signed-in user, register this device's subscription
  // again (never prompts), and follow the service worker's requests to go to a notification's page.
  const syncNow = () => load.sync().then(({ syncNow: now }) => now());
  let stopPush = null;
  function startBackground() {
    load.sync().then(({ startSync }) => startSync()).catch((error) => console.error('rasd: sync not started', error));
    if (stopPush) return;
    stopPush = () => {}; // until the module is here: started once
    load.push().then(({ listenForPush, refreshPush }) => {
      if (!state.user) return;
      stopPush = listenForPush({ api, onNavigate: (url) => {
        const { hash } = new URL(url, doc.location.href);
        if (hash !== doc.location.hash) doc.location.hash = hash;
      } });
      refreshPush({ api }).catch((error) => console.warn('rasd: push subscription not refreshed', error));
    }).catch((error) => {
      stopPush = null;
      console.error('rasd: push not started', error);
    });
  }

  async function renderSyncBar() {
    barLife.abort();
    barLife = new AbortController();
    const life = barLife;
    if (!state.user || !state.store) return syncRegion.replaceChildren();
    const { syncBar } = await load.syncBar();
    if (life.signal.aborted) return undefined; // redrawn meanwhile
    return syncRegion.replaceChildren(syncBar({ t: state.t, lang: state.lang, store: state.store, onSyncNow: syncNow, signal: life.signal }));
  }

  function renderStatus() {
    networkStatus.textContent = state.t('network.offline');
    networkStatus.hidden = !state.offline;
  }

  async function renderUpdate() {
    const apply = state.update;
    if (!apply) return updateRegion.replaceChildren();
    const { updateBanner } = await load.updateBanner();
    if (state.update !== apply) return undefined; // answered or replaced meanwhile
    const later = () => {
      state.update = null;
      renderUpdate();
    };
    return updateRegion.replaceChildren(updateBanner({ t: state.t, onApply: apply, onLater: later }));
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

  // A visit's screens hold what is being typed: the network coming and going never redraws them.
  const redrawOnNetwork = () => state.route === 'home' || state.route === 'signin';

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
  // What the first screen needs is asked for at once, side by side: the local store, the saved
  // user, the catalogue of the language already chosen here, and the code of the place in the URL.
  const stored = chosen();
  catalogue(chooseLanguage({ query, stored })).catch(() => {}); // setLanguage() reports a failure
  const route = parseRoute(doc.location.hash);
  (load[route.name] ?? load.home)().catch(() => {}); // render() reports a failure
  const [store, saved] = await Promise.all([
    openStore().catch((error) => {
      console.error('rasd: the local store could not be opened', error); // the profile still shows
      return null;
    }),
    session.cached().catch(() => null),
  ]);
  state.store = store;
  await setLanguage(chooseLanguage({ query, stored, profile: saved?.language }));
  state.user = saved;
  state.offline = !navigator.onLine;
  const drawn = render();
  if (await refresh()) {
    const wanted = chooseLanguage({ query, stored: chosen(), profile: state.user?.language });
    const languageChanged = wanted !== state.lang;
    if (languageChanged) await setLanguage(wanted);
    // A visit opened from this device is not drawn twice when the server (or its absence) only
    // confirms who was saved here: that would read and build the whole checklist again.
    const confirmed = JSON.stringify(saved) === JSON.stringify(state.user) && !state.notice && !languageChanged;
    if (confirmed && !redrawOnNetwork()) renderStatus();
    else if (saved || state.user || state.notice || languageChanged) await render();
    else renderStatus();
  }
  await drawn;
  doc.documentElement.dataset.ready = 'true'; // the boot is over: for tests, and for styles
  whenIdle(loadTheRest);

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
  load.serviceWorker()
    .then(({ registerServiceWorker }) => registerServiceWorker({
      onUpdateReady: (apply) => {
        state.update = apply;
        renderUpdate();
      },
    }))
    .catch((error) => console.error('rasd: service worker registration failed', error));
}
