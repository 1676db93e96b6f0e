// The sync status bar, always on screen once signed in: how many changes wait for the server and
// since when, photos still to upload, a "sync now" button, and in plain words what the server
// refused or what someone else changed at the same time.
import { h } from '../dom.js';
import { formatNumber } from '../i18n.js';
import { formatAge } from './sample-rows.js';

const REFRESH_MS = 30000; // "5 minutes ago" must not stay "5 minutes ago" for an hour

/** What a refused or conflicting change was about, in words: "the answer “x”", "a finding", … */
export function describeChange({ entity, field, kind }, t) {
  if (entity === 'visit' && field?.startsWith('answers.')) return t('sync.what.answer', { item: field.slice('answers.'.length) });
  if (entity === 'visit' && kind === 'submit') return t('sync.what.submit');
  const known = ['visit', 'finding', 'action', 'attachment'].includes(entity) ? entity : 'other';
  return t(`sync.what.${known}`);
}

/** Why the server refused a change, in the user's language when the code is known. */
export function describeReason(reason, t) {
  const code = reason?.code;
  if (code && t.has(`sync.reason.${code}`)) return t(`sync.reason.${code}`);
  return reason?.message || t('sync.reason.unknown');
}

/** The one-line state of the bar: `{key, params}` for t(). Pure (node --test). */
export function syncSummary(status, lang, now = Date.now()) {
  const state = status.sync?.state ?? 'idle';
  if (state === 'running') return { key: 'sync.running', params: {} };
  if (state === 'signed_out') return { key: 'sync.signedOut', params: {} };
  if (status.pending > 0) {
    const params = {
      count: formatNumber(status.pending, lang),
      age: formatAge(now - (status.oldestAgeMs ?? 0), lang, now),
    };
    if (state === 'offline' || status.online === false) return { key: 'sync.pendingOffline', params };
    if (state === 'error' || state === 'waiting') return { key: 'sync.pendingRetry', params };
    return { key: 'sync.pending', params };
  }
  if (status.online === false || state === 'offline') return { key: 'sync.offlineSaved', params: {} };
  if (status.lastSyncAt) return { key: 'sync.upToDate', params: { age: formatAge(status.lastSyncAt, lang, now) } };
  return { key: 'sync.neverSynced', params: {} };
}

export function syncBar({ t, lang, store, onSyncNow, signal }) {
  const line = h('p', { class: 'sync-bar__line', id: 'sync-line' });
  const photos = h('p', { class: 'sync-bar__photos', id: 'sync-photos', hidden: true });
  const problems = h('div', { class: 'sync-bar__problems', id: 'sync-problems', role: 'status' });
  const button = h('button', { type: 'button', class: 'button button--small sync-bar__now', id: 'sync-now' }, t('sync.now'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await onSyncNow();
    } catch (error) {
      console.warn('rasd: sync now', error);
    } finally {
      button.disabled = false;
      await draw();
    }
  });

  function problemList(status) {
    const parts = [];
    if (status.rejected?.length) {
      parts.push(h('details', { class: 'sync-bar__details', id: 'sync-rejected' },
        h('summary', {}, t('sync.rejectedCount', { count: formatNumber(status.rejected.length, lang) })),
        h('p', { class: 'hint' }, t('sync.rejectedHelp')),
        h('ul', {}, status.rejected.map((op) => h('li', {},
          t('sync.rejectedItem', { what: describeChange(op, t), reason: describeReason(op.reason, t) }), ' ',
          h('button', {
            type: 'button', class: 'button button--quiet button--small',
            onclick: () => store.dismissRejected?.(op.seq),
          }, t('sync.dismiss')))))));
    }
    if (status.conflicts?.length) {
      parts.push(h('details', { class: 'sync-bar__details', id: 'sync-conflicts' },
        h('summary', {}, t('sync.conflictCount', { count: formatNumber(status.conflicts.length, lang) })),
        h('p', { class: 'hint' }, t('sync.conflictHelp')),
        h('ul', {}, status.conflicts.map((conflict) => h('li', {}, describeChange(conflict, t))))));
    }
    if (status.photosFailed?.length) parts.push(h('p', { class: 'hint' }, t('sync.photosFailed', { count: formatNumber(status.photosFailed.length, lang) })));
    return parts;
  }

  let last = '';
  async function draw() {
    let status;
    try {
      status = await store.status();
    } catch (error) {
      console.warn('rasd: sync status', error);
      return;
    }
    const { key, params } = syncSummary(status, lang);
    line.textContent = t(key, params);
    photos.hidden = !status.photosPending;
    photos.textContent = status.photosPending ? t('sync.photosPending', { count: formatNumber(status.photosPending, lang) }) : '';
    bar.dataset.state = status.sync?.state ?? 'idle';
    bar.dataset.pending = String(status.pending);
    bar.classList.toggle('sync-bar--problem', Boolean(status.rejected?.length || status.conflicts?.length));
    button.disabled = status.sync?.state === 'running';
    // Redraw the explanations only when they change: a reader may have one open.
    const fingerprint = JSON.stringify([status.rejected?.map((op) => op.seq), status.conflicts?.map((c) => c.id), status.photosFailed?.length, lang]);
    if (fingerprint !== last) {
      last = fingerprint;
      problems.replaceChildren(...problemList(status));
    }
  }

  const bar = h('section', { class: 'sync-bar', id: 'sync-bar', 'aria-label': t('sync.label') },
    h('div', { class: 'sync-bar__row' }, h('div', { class: 'sync-bar__text' }, line, photos), button),
    problems);
  let queued = null;
  const schedule = () => {
    queued ??= setTimeout(() => {
      queued = null;
      draw();
    }, 150);
  };
  const unsubscribe = store.subscribe(schedule);
  const ticker = setInterval(draw, REFRESH_MS);
  const online = () => draw();
  globalThis.addEventListener('online', online);
  globalThis.addEventListener('offline', online);
  signal?.addEventListener('abort', () => {
    unsubscribe();
    clearInterval(ticker);
    clearTimeout(queued);
    globalThis.removeEventListener('online', online);
    globalThis.removeEventListener('offline', online);
  });
  draw();
  return bar;
}
