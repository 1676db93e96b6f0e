// The PWA's places, in the hash of the one shell URL (the service worker serves "/" offline for
// all of them): "#/" the work list, "#/visit/<id>" its checklist, "#/visit/<id>/item/<key>" one
// item of it, "#/visit/<id>/findings", "#/visit/<id>/submit". Pure: node --test imports it.

const VISIT = /^#\/visit\/([0-9a-fA-F-]{36})(?:\/(findings|submit|item\/([a-z][a-z0-9_]*)))?\/?$/;

export function parseRoute(hash) {
  const match = VISIT.exec(hash ?? '');
  if (!match) return { name: 'home' };
  const [, visitId, tail, itemKey] = match;
  if (!tail) return { name: 'checklist', visitId };
  if (itemKey) return { name: 'checklist', visitId, itemKey };
  return { name: tail, visitId };
}

export function routeHash({ name, visitId, itemKey }) {
  if (name === 'home') return '#/';
  if (name === 'checklist') return itemKey ? `#/visit/${visitId}/item/${itemKey}` : `#/visit/${visitId}`;
  return `#/visit/${visitId}/${name}`;
}
