// The page's side of the service worker: register it, and offer a waiting new version to the
// user. The page reloads only after the user accepted the update, never on its own.

export async function registerServiceWorker({ onUpdateReady }) {
  if (!('serviceWorker' in navigator)) return null;
  const container = navigator.serviceWorker;
  // updateViaCache 'none': the browser always asks the server for /sw.js when checking.
  const registration = await container.register('/sw.js', { scope: '/', updateViaCache: 'none' });
  let accepted = false;

  const offer = (worker) =>
    onUpdateReady(() => {
      accepted = true;
      worker.postMessage('skip-waiting');
    });

  // A new version counts as an update only when an older one controls this page; the very first
  // install just makes the app work offline.
  if (registration.waiting && container.controller) offer(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed' && container.controller) offer(worker);
    });
  });
  container.addEventListener('controllerchange', () => {
    if (accepted) location.reload();
  });
  // Look for a new version when the app comes back to the foreground.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') registration.update().catch(() => {});
  });
  return registration;
}
