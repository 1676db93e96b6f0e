// A signature as an answer: the saved image with "sign again", or a pad that saves itself a
// moment after the last stroke (`media.addPng` stores the PNG; the value is `{sha256, ...}`).
import { h } from '../dom.js';
import { signaturePad } from './signature-pad.js';

const SETTLE_MS = 900; // a signature has several strokes: save once the hand has stopped

export function signatureField({ id, value, t, readOnly, label, describedBy, media, extra = () => ({}), onChange }) {
  const root = h('div', { class: 'signature', id });
  const status = h('p', { class: 'hint signature__status', role: 'status', 'aria-live': 'polite', id: `${id}-status` });
  let timer = null;

  function showSaved(saved) {
    const image = h('img', { class: 'signature__image', alt: t('signature.saved') });
    Promise.resolve(media.urlOf(saved.sha256)).then((url) => { if (url) image.src = url; }).catch(() => {});
    const again = h('button', {
      type: 'button', class: 'button', hidden: readOnly, 'aria-describedby': describedBy,
      onclick: () => showPad(saved),
    }, t('signature.again'));
    status.textContent = t('signature.done');
    root.replaceChildren(image, status, again);
  }

  function showPad(previous) {
    const pad = signaturePad({
      label: label ?? t('signature.pad'),
      onStroke: () => {
        status.textContent = t('signature.drawing');
        clearTimeout(timer);
        timer = setTimeout(save, SETTLE_MS);
      },
    });
    async function save() {
      if (pad.isEmpty()) return;
      status.textContent = t('signature.saving');
      try {
        const stored = await media.addPng(await pad.toPng());
        const signed = { sha256: stored.sha256, attachment_id: stored.attachment_id, signed_at: new Date().toISOString(), ...extra() };
        onChange(signed);
        if (previous?.attachment_id) media.remove(previous).catch(() => {});
        previous = signed;
        status.textContent = t('signature.done');
      } catch (error) {
        console.warn('rasd: signature not stored', error);
        status.textContent = t('signature.failed');
      }
    }
    const clear = h('button', {
      type: 'button', class: 'button button--quiet', 'aria-describedby': describedBy,
      onclick: () => {
        clearTimeout(timer);
        pad.clear();
        status.textContent = t('signature.cleared');
        if (previous) {
          onChange(null);
          if (previous.attachment_id) media.remove(previous).catch(() => {});
          previous = null;
        }
      },
    }, t('signature.clear'));
    status.textContent = t('signature.hint');
    root.replaceChildren(pad.element, status, clear);
  }

  if (value?.sha256) showSaved(value);
  else if (readOnly) root.replaceChildren(h('p', { class: 'hint' }, t('signature.none')));
  else showPad(null);
  return root;
}
