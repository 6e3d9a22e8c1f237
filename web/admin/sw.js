// Shows Web Push messages from Herald when no tab is open. The payload is JSON with a title
// and body where possible; anything else is shown as text.
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: 'Herald', body: event.data?.text() ?? '' };
  }
  const title = data.title || data.notification?.title || 'Herald';
  const body = data.body || data.message || data.notification?.body || '';
  event.waitUntil(self.registration.showNotification(title, { body }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow('/admin#/inbox'));
});
