// The hybrid logical clock (HLC) of sync protocol v1: the same clock as sync/hlc.py, checked
// against the same vectors (tests/fixtures/vectors/hlc.json).
//
// A stamp is text: "<unix ms, 13 digits>-<counter, 4 digits>-<client_id>". Every part is
// fixed-width, zero-padded and lower-case, so comparing two stamps with < and > orders them
// exactly like their keys (ms, counter, client_id).
//
// The device advances its clock on every local change (now) and on every stamp it receives in a
// pull (observe), so a change made after seeing another is later than it even when the phone's
// wall clock is wrong or goes back. Protocol quirk: when the four-digit counter is full the clock
// moves on to the next millisecond with counter 0 instead of overflowing.

export const UUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const HLC = new RegExp(`^([0-9]{13})-([0-9]{4})-(${UUID_PATTERN})$`);
const CLIENT_ID = new RegExp(`^${UUID_PATTERN}$`);
export const LENGTH = 13 + 1 + 4 + 1 + 36;
export const MAX_MS = 9_999_999_999_999; // 13 digits: the year 2286
export const MAX_COUNTER = 9_999;
export const MAX_SKEW_MS = 5 * 60 * 1000; // the server clamps a device clock more than this ahead

/** A stamp or client id that is not canonical; `code` is the protocol's. */
export class InvalidHlc extends Error {
  constructor(message) {
    super(message);
    this.name = 'InvalidHlc';
    this.code = 'invalid_hlc';
  }
}

/** "…" → {ms, counter, clientId}; throws InvalidHlc unless the text is exactly canonical. */
export function parse(text) {
  // JavaScript's $ never matches before a final newline (no m flag), so the regex is enough.
  const match = typeof text === 'string' ? HLC.exec(text) : null;
  if (match === null) throw new InvalidHlc(`Not a hybrid logical clock: ${JSON.stringify(String(text).slice(0, 80))}`);
  return { ms: Number(match[1]), counter: Number(match[2]), clientId: match[3] };
}

export function isHlc(text) {
  return typeof text === 'string' && HLC.test(text);
}

/** The canonical text of {ms, counter, clientId}; throws InvalidHlc if a part does not fit. */
export function format({ ms, counter, clientId }) {
  const fits = Number.isInteger(ms) && ms >= 0 && ms <= MAX_MS && Number.isInteger(counter) && counter >= 0
    && counter <= MAX_COUNTER && typeof clientId === 'string' && CLIENT_ID.test(clientId);
  if (!fits) throw new InvalidHlc(`Cannot format ${JSON.stringify({ ms, counter, clientId })} as a hybrid logical clock`);
  return `${String(ms).padStart(13, '0')}-${String(counter).padStart(4, '0')}-${clientId}`;
}

/** -1, 0 or 1 as stamp a is before, equal to or after stamp b (both are validated). */
export function compare(a, b) {
  const ka = parse(a);
  const kb = parse(b);
  if (ka.ms !== kb.ms) return ka.ms < kb.ms ? -1 : 1;
  if (ka.counter !== kb.counter) return ka.counter < kb.counter ? -1 : 1;
  if (ka.clientId !== kb.clientId) return ka.clientId < kb.clientId ? -1 : 1;
  return 0;
}

function carry(ms, counter) {
  return counter > MAX_COUNTER ? [ms + 1, 0] : [ms, counter];
}

/**
 * The clock of one client. `last` restores the latest stamp issued or observed (kept in the meta
 * store); `wall` gives the wall clock in unix ms (tests pass a fake one).
 */
export class Clock {
  constructor(clientId, { last = null, wall = () => Date.now() } = {}) {
    if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) {
      throw new InvalidHlc(`Not a canonical lower-case client id: ${JSON.stringify(String(clientId).slice(0, 80))}`);
    }
    this.clientId = clientId;
    this.wall = wall;
    if (last === null || last === undefined) {
      this.ms = 0;
      this.counter = 0;
    } else {
      ({ ms: this.ms, counter: this.counter } = parse(last));
    }
  }

  /** The latest stamp of this clock, to store and restore. */
  get last() {
    return format({ ms: this.ms, counter: this.counter, clientId: this.clientId });
  }

  /** A new stamp for a local change: later than every stamp issued or observed before. */
  now() {
    const wall = this.wall();
    if (wall > this.ms) {
      this.ms = wall;
      this.counter = 0;
    } else {
      [this.ms, this.counter] = carry(this.ms, this.counter + 1);
    }
    return this.last;
  }

  /** Take in a stamp received from elsewhere (a pull); returns this clock's new stamp. */
  observe(remote) {
    const other = parse(remote);
    const wall = this.wall();
    const ms = Math.max(this.ms, other.ms, wall);
    let counter;
    if (ms === this.ms && ms === other.ms) counter = Math.max(this.counter, other.counter) + 1;
    else if (ms === this.ms) counter = this.counter + 1;
    else if (ms === other.ms) counter = other.counter + 1;
    else counter = 0;
    [this.ms, this.counter] = carry(ms, counter);
    return this.last;
  }
}

/** What the server does to a stamp too far ahead of its own time: {hlc, clamped, skewMs}. */
export function clamp(hlc, serverNowMs, maxSkewMs = MAX_SKEW_MS) {
  const stamp = parse(hlc);
  const bound = serverNowMs + maxSkewMs;
  const skewMs = stamp.ms - serverNowMs;
  if (stamp.ms <= bound) return { hlc, clamped: false, skewMs };
  return { hlc: format({ ...stamp, ms: bound }), clamped: true, skewMs };
}

/** Clamp the stamps of one push so that they keep their order (see sync/hlc.py clamp_all). */
export function clampAll(hlcs, serverNowMs, maxSkewMs = MAX_SKEW_MS) {
  const parsed = hlcs.map(parse);
  const bound = serverNowMs + maxSkewMs;
  const firstFree = 1 + Math.max(-1, ...parsed.filter((p) => p.ms === bound).map((p) => p.counter));
  // Canonical texts sort like their keys: rank the distinct stamps beyond the bound by text.
  const ahead = [...new Set(hlcs.filter((_, i) => parsed[i].ms > bound))].sort();
  const counters = new Map(ahead.map((text, rank) => [text, Math.min(MAX_COUNTER, firstFree + rank)]));
  return hlcs.map((text, i) => {
    const stamp = parsed[i];
    const skewMs = stamp.ms - serverNowMs;
    if (stamp.ms <= bound) return { hlc: text, clamped: false, skewMs };
    return { hlc: format({ ms: bound, counter: counters.get(text), clientId: stamp.clientId }), clamped: true, skewMs };
  });
}
