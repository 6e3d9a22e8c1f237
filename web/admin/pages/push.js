// Opt-in alerts outside the page: browser notifications while the tab is open but hidden,
// and a Web Push subscription (with the server's VAPID key) that reaches the device even when
// the tab is closed. Both ask permission only when the user presses the button.
import { api } from '../../api.js';
import { errText, html, Status, useState } from '../lib.js';

/** How long to wait for the browser's push service before saying it did not answer. */
const PUSH_WAIT_MS = 10_000;

function keyBytes(base64url) {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/**
 * Subscribing needs an active worker. This page (/admin) is outside the worker's scope, so
 * `navigator.serviceWorker.ready` never resolves here: wait on the registration itself.
 */
function activated(reg) {
  if (reg.active) return Promise.resolve();
  const worker = reg.installing ?? reg.waiting;
  return new Promise((resolve, reject) => {
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
      if (worker.state === 'redundant') reject(new Error('The service worker did not start.'));
    });
  });
}

export function PushControls({ notify }) {
  const supported = typeof Notification !== 'undefined';
  const [on, setOn] = useState(supported && Notification.permission === 'granted' && notify.current);
  const [msg, setMsg] = useState(null);

  async function toggle(e) {
    const want = e.currentTarget.checked;
    if (want && Notification.permission !== 'granted') {
      const p = await Notification.requestPermission();
      if (p !== 'granted') {
        setMsg({ kind: 'error', text: 'The browser refused notifications for this site.' });
        setOn(false);
        return;
      }
    }
    notify.current = want;
    setOn(want);
  }

  async function subscribe() {
    try {
      if (!('serviceWorker' in navigator) || !('PushManager' in window)) {
        throw new Error('This browser has no Web Push.');
      }
      const { publicKey } = await api('GET', '/api/v1/push-subscriptions/vapid-public-key');
      setMsg({ kind: 'ok', text: 'Starting the service worker…' });
      const reg = await navigator.serviceWorker.register('/web/admin/sw.js', { scope: '/web/admin/' });
      await activated(reg);
      setMsg({ kind: 'ok', text: 'Asking the browser’s push service…' });
      // A browser without a reachable push service may never answer: give up after a while.
      const sub = await Promise.race([
        reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }),
        new Promise((_, reject) =>
          setTimeout(
            () => reject(new Error('The browser’s push service did not answer; try again later.')),
            PUSH_WAIT_MS,
          ),
        ),
      ]);
      await api('POST', '/api/v1/push-subscriptions', sub.toJSON());
      setMsg({ kind: 'ok', text: 'This device now gets Web Push notifications.' });
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  }

  return html`<details class="push">
    <summary>Alerts on this device</summary>
    <label class="check">
      <input type="checkbox" checked=${on} disabled=${!supported} onChange=${toggle} />
      Browser notifications while this tab is in the background
    </label>
    <button type="button" class="secondary" onClick=${subscribe}>Subscribe to Web Push</button>
    <${Status} msg=${msg} />
  </details>`;
}
