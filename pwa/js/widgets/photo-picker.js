// Take or choose pictures: a real file input (camera first on phones) behind a button-like label,
// each picture made small (image-size.js) and stored through `media`, thumbnails with a remove
// button. Used by photo items and by the evidence of a finding.
import { h } from '../dom.js';
import { formatNumber } from '../i18n.js';

/**
 * `photos`: `[{attachment_id, sha256}]`. `media.addImage(file)` stores one picture and gives
 * `{attachment_id, sha256}`; `media.urlOf(sha256)` a URL to show it; `media.remove(photo)` forgets it.
 * `onChange(photos)` after every change.
 */
export function photoPicker({ id, photos = [], max = null, lang, t, readOnly, label, describedBy, media, onChange }) {
  let current = [...photos];
  const list = h('ul', { class: 'photos', 'aria-label': t('photo.list') });
  const status = h('p', { class: 'hint photos__status', role: 'status', 'aria-live': 'polite' });
  const input = h('input', {
    id, type: 'file', accept: 'image/*', capture: 'environment', class: 'visually-hidden',
    'aria-describedby': describedBy, disabled: readOnly,
  });
  const addLabel = h('label', { for: id, class: 'button photos__add', hidden: readOnly }, label ?? t('photo.add'));

  function full() {
    return max !== null && max !== undefined && current.length >= max;
  }

  function showCount(message = '') {
    const count = max ? t('photo.countOf', { count: formatNumber(current.length, lang), max: formatNumber(max, lang) })
      : t('photo.count', { count: formatNumber(current.length, lang) });
    status.textContent = message ? `${message} ${count}` : count;
    input.disabled = readOnly || full();
    addLabel.classList.toggle('button--disabled', full());
  }

  function thumbnail(photo, index) {
    const image = h('img', { class: 'photos__image', alt: t('photo.alt', { n: formatNumber(index + 1, lang) }), loading: 'lazy' });
    Promise.resolve(media.urlOf(photo.sha256)).then((url) => { if (url) image.src = url; }).catch(() => {});
    const remove = h('button', {
      type: 'button', class: 'button button--small photos__remove', hidden: readOnly,
      'aria-label': t('photo.remove', { n: formatNumber(index + 1, lang) }),
      onclick: async () => {
        current = current.filter((candidate) => candidate !== photo);
        draw();
        onChange(current);
        await media.remove(photo);
      },
    }, '×');
    return h('li', { class: 'photos__item' }, image, remove);
  }

  function draw() {
    list.replaceChildren(...current.map(thumbnail));
    showCount();
  }

  input.addEventListener('change', async () => {
    const files = [...input.files];
    input.value = '';
    for (const file of files) {
      if (full()) break;
      status.textContent = t('photo.busy');
      try {
        current = [...current, await media.addImage(file)];
        onChange(current);
        draw();
      } catch (error) {
        console.warn('rasd: photo not stored', error);
        showCount(t('photo.failed'));
      }
    }
  });

  draw();
  return h('div', { class: 'photo-picker' }, list, input, addLabel, status);
}
