// Who is signed in on this device. The user is kept in IndexedDB so that the app opens signed in
// when there is no network; the server stays the judge whenever it can be reached.

import { ApiError, NetworkError } from './api.js';
import { kvDelete, kvGet, kvSet } from './db.js';

const USER_KEY = 'user';
const DEVICE_KEY = 'device_id';

async function deviceId() {
  let id = await kvGet(DEVICE_KEY);
  if (!id) {
    id = crypto.randomUUID();
    await kvSet(DEVICE_KEY, id);
  }
  return id;
}

export function createSession(api) {
  // Bumped by every sign-in and sign-out: an answer to /me asked before one of them is stale and
  // must neither overwrite nor delete the user they saved.
  let generation = 0;

  return {
    /** The user saved on this device, or null. */
    async cached() {
      return (await kvGet(USER_KEY)) ?? null;
    },

    /**
     * Ask the server who we are. `{user, offline, expired}`: offline means the server could not
     * answer and `user` is the saved one; expired means a saved user's session is over.
     * `{stale: true}` when someone signed in or out while the question was on its way.
     */
    async refresh() {
      const asked = generation;
      try {
        const { user } = await api.get('/api/auth/me');
        if (asked !== generation) return { stale: true };
        await kvSet(USER_KEY, user);
        return { user, offline: false, expired: false };
      } catch (error) {
        if (asked !== generation) return { stale: true };
        if (error instanceof ApiError && error.status === 401) {
          const saved = await kvGet(USER_KEY);
          await kvDelete(USER_KEY);
          return { user: null, offline: false, expired: Boolean(saved) };
        }
        if (error instanceof NetworkError || error instanceof ApiError) {
          return { user: await this.cached(), offline: error instanceof NetworkError, expired: false };
        }
        throw error;
      }
    },

    async signIn(username, password) {
      generation += 1;
      const { user } = await api.post('/api/auth/login', {
        username,
        password,
        device_id: await deviceId(),
        device_label: navigator.userAgent.slice(0, 200),
      });
      await kvSet(USER_KEY, user);
      return user;
    },

    /** Sign out here even when the server cannot be told (it will expire the session). */
    async signOut() {
      generation += 1;
      try {
        await api.post('/api/auth/logout');
      } catch (error) {
        if (!(error instanceof NetworkError || error instanceof ApiError)) throw error;
      } finally {
        await kvDelete(USER_KEY);
      }
    },

    /** Save the language in the user's profile, when the server can be reached. */
    async saveLanguage(language) {
      const { user } = await api.patch('/api/auth/me', { language });
      await kvSet(USER_KEY, user);
      return user;
    },
  };
}
