// Which component draws which item type: one file per type under items/, each fetched the first
// time a checklist holds an item of its type (a template without signatures never loads the pad).
const LOADERS = Object.freeze({
  yes_no: () => import('./items/yes_no.js').then((module) => module.yesNo),
  single_choice: () => import('./items/single_choice.js').then((module) => module.singleChoice),
  multi_choice: () => import('./items/multi_choice.js').then((module) => module.multiChoice),
  rating: () => import('./items/rating.js').then((module) => module.rating),
  number: () => import('./items/number.js').then((module) => module.number),
  duration: () => import('./items/duration.js').then((module) => module.duration),
  date: () => import('./items/date.js').then((module) => module.date),
  time: () => import('./items/time.js').then((module) => module.time),
  text: () => import('./items/text.js').then((module) => module.text),
  photo: () => import('./items/photo.js').then((module) => module.photo),
  gps: () => import('./items/gps.js').then((module) => module.gps),
  signature: () => import('./items/signature.js').then((module) => module.signature),
  file_sample: () => import('./items/file_sample.js').then((module) => module.fileSample),
  citizen_feedback: () => import('./items/citizen_feedback.js').then((module) => module.citizenFeedback),
});

export const ITEM_TYPES = Object.freeze(Object.keys(LOADERS));

const loaded = new Map(); // type → its component, once fetched

/** Fetch the components of these types; an unknown type is left to itemField, which says so. */
export async function loadItemComponents(types) {
  const wanted = [...new Set(types)].filter((type) => Object.hasOwn(LOADERS, type) && !loaded.has(type));
  await Promise.all(wanted.map(async (type) => loaded.set(type, await LOADERS[type]())));
}

/** The component of a type, once loadItemComponents() has fetched it; otherwise null. */
export function itemComponent(type) {
  return loaded.get(type) ?? null;
}
