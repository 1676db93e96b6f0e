// What the screens of a visit read from the store, and how they store pictures for it.
import { h } from '../dom.js';
import { compressImage } from '../widgets/image-size.js';

/** Replace the children of `element`, skipping the null and false of optional parts. */
export function fill(element, ...children) {
  element.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
}

/**
 * The frame the screens of one visit share: a section that shows "loading", reads the visit, says
 * when this device does not hold it, and otherwise shows what `render(data, draw)` returns (an array
 * of children, or null to leave the screen as it is, e.g. when it was closed meanwhile). `draw({focus})`
 * redraws after a change and puts the focus on the element of that id (else the h1 on `autofocus`).
 */
export function visitScreen({ name, t, store, visitId, signal, autofocus }, render) {
  const root = h('section', { class: name, 'aria-labelledby': 'screen-title', 'aria-busy': 'true' },
    h('p', { class: 'screen__loading' }, t('app.loading')));

  async function draw({ focus = null } = {}) {
    const data = await loadVisit(store, visitId);
    if (signal.aborted) return;
    if (!data) {
      fill(root, h('h1', { id: 'screen-title', tabindex: '-1' }, t('visit.notFound')));
      return;
    }
    const children = await render(data, draw);
    if (signal.aborted || !children) return;
    fill(root, ...children);
    root.removeAttribute('aria-busy');
    if (focus) root.querySelector(`#${focus}`)?.focus();
    else if (autofocus) root.querySelector('h1')?.focus();
  }

  draw().catch((error) => {
    console.error(`rasd: ${name} screen`, error);
    fill(root, h('p', { class: 'alert', role: 'alert' }, t('errors.unknown')));
  });
  return root;
}

/** The statuses in which the inspector may still change a visit; the others are read-only. */
export const EDITABLE = new Set(['draft', 'returned']);

/** `{visit, agency, document, version}`, or null when this device has no such visit. */
export async function loadVisit(store, visitId) {
  const visit = await store.getVisit(visitId);
  if (!visit) return null;
  const [version, agency] = await Promise.all([
    store.getTemplateVersion(visit.template_version_id),
    store.get('agency', visit.agency_id),
  ]);
  return { visit, agency, version, document: version?.document ?? { sections: [] } };
}

/**
 * Pictures of a visit: photos are made small and JPEG before they are stored, signatures are
 * stored as drawn (PNG). Each gives `{attachment_id, sha256}`, the value kept in the answer.
 */
export function visitMedia(store, visitId) {
  const stored = ({ attachment_id: attachmentId, sha256 }) => ({ attachment_id: attachmentId, sha256 });
  return {
    async addImage(itemKey, file) {
      return stored(await store.addBlob(visitId, itemKey, await compressImage(file), 'image/jpeg'));
    },
    async addPng(itemKey, blob) {
      return stored(await store.addBlob(visitId, itemKey, blob, 'image/png'));
    },
    urlOf: (sha256) => store.getBlobURL(sha256),
    remove: (picture) => (picture?.attachment_id ? store.deleteEntity('attachment', picture.attachment_id) : Promise.resolve()),
  };
}

/**
 * Start a visit now: it is stored at once with its start time, and the position is added when the
 * device gives it (only when location is already allowed: starting never waits for a prompt or a
 * satellite). Returns the new visit's id.
 */
export async function startVisit(store, { agencyId, versionId, assignmentId = null }, { locate, allowed } = {}) {
  const id = await store.createVisit({
    agency_id: agencyId,
    template_version_id: versionId,
    assignment_id: assignmentId,
    started_at: new Date().toISOString(),
    location: null,
  });
  if (locate && allowed) {
    allowed()
      .then((yes) => (yes ? locate({ timeout: 30000 }) : null))
      .then((location) => (location ? store.setField('visit', id, 'location', location) : null))
      .catch(() => {}); // no position is not an error: the visit goes on without it
  }
  return id;
}

/** The newest published version of each template: what a new visit may use (retired ones are not). */
export function latestVersions(versions) {
  const latest = new Map();
  for (const version of versions ?? []) {
    if ((version.status ?? 'published') !== 'published') continue; // retired: no new visit on it
    const key = version.template_key ?? version.document?.key ?? version.id;
    if (!latest.has(key) || (latest.get(key).version ?? 0) < (version.version ?? 0)) latest.set(key, version);
  }
  return [...latest.values()];
}
