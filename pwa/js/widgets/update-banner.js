// "A new version is ready": the user chooses when the app reloads into it.
import { h } from '../dom.js';

export function updateBanner({ t, onApply, onLater }) {
  return h(
    'div',
    { class: 'banner' },
    h('p', { class: 'banner__text' }, t('update.available')),
    h('div', { class: 'banner__actions' },
      h('button', { type: 'button', class: 'button button--primary', id: 'update-apply', onclick: onApply }, t('update.apply')),
      h('button', { type: 'button', class: 'button button--quiet', onclick: onLater }, t('update.later')),
    ),
  );
}
