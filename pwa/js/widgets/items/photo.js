// photo: pictures taken on site as evidence, between min and max of them.
import { photoPicker } from '../photo-picker.js';

export function photo({ item, value, lang, t, ids, readOnly, media, onChange }) {
  return photoPicker({
    id: ids.input, photos: value ?? [], max: item.max, lang, t, readOnly, describedBy: ids.error,
    media: {
      addImage: (file) => media.addImage(item.key, file),
      urlOf: media.urlOf,
      remove: (picture) => media.remove(picture),
    },
    onChange: (photos) => onChange(photos.length ? photos : null),
  });
}
