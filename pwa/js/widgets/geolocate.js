// The device's position as the sync protocol writes it: `{lat, lon, accuracy_m, at}`.
import { formatNumber } from '../i18n.js';

const REASONS = { 1: 'denied', 2: 'unavailable', 3: 'timeout' };

/** Ask for the position once. Rejects with an Error whose `reason` is denied|unavailable|timeout. */
export function locate({ timeout = 20000, maximumAge = 60000, geolocation = globalThis.navigator?.geolocation } = {}) {
  return new Promise((resolve, reject) => {
    if (!geolocation) {
      reject(Object.assign(new Error('no geolocation'), { reason: 'unavailable' }));
      return;
    }
    geolocation.getCurrentPosition(
      (position) => resolve({
        lat: position.coords.latitude,
        lon: position.coords.longitude,
        accuracy_m: Math.round(position.coords.accuracy * 10) / 10,
        at: new Date(position.timestamp || Date.now()).toISOString(),
      }),
      (error) => reject(Object.assign(new Error(error.message), { reason: REASONS[error.code] ?? 'unavailable' })),
      { enableHighAccuracy: true, timeout, maximumAge },
    );
  });
}

/**
 * Whether asking will not put a prompt in front of the user: only when the permission is already
 * granted (a visit starts without waiting for anyone). Browsers without the Permissions API: no.
 */
export async function locationAllowed(permissions = globalThis.navigator?.permissions) {
  try {
    return (await permissions.query({ name: 'geolocation' })).state === 'granted';
  } catch {
    return false;
  }
}

/** "36.75380, 3.05880 ± 12 m" in the user's digits. */
export function formatPosition(location, lang, t) {
  const coordinate = (n) => formatNumber(n, lang, { minimumFractionDigits: 5, maximumFractionDigits: 5 });
  return t('gps.position', {
    lat: coordinate(location.lat),
    lon: coordinate(location.lon),
    accuracy: formatNumber(Math.round(location.accuracy_m ?? 0), lang),
  });
}
