// Ordering of codes, keys, identifiers and ISO dates: by code point, as the server's database
// orders them, and without localeCompare, which builds a collator on every call (on a slow phone,
// sorting the agencies that way took longer than drawing the checklist that needed them).

/** A sort comparator of two strings (null and undefined sort as ''). */
export function byText(a, b) {
  const left = String(a ?? '');
  const right = String(b ?? '');
  if (left < right) return -1;
  return left > right ? 1 : 0;
}
