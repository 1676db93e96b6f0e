// signature: someone on site signs on the screen (e.g. the agency manager); stored as a PNG.
import { signatureField } from '../signature-field.js';

export function signature({ item, value, t, ids, readOnly, media, onChange }) {
  return signatureField({
    id: ids.input, value, t, readOnly, describedBy: ids.error,
    media: { addPng: (blob) => media.addPng(item.key, blob), urlOf: media.urlOf, remove: media.remove },
    onChange,
  });
}
