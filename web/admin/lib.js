// The component library, served by Herald from node_modules (see docs/web-app.md): Preact for
// components, htm for markup written as tagged templates (no JSX, so no build step).

import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from '/web/vendor/hooks.mjs';
import htm from '/web/vendor/htm.mjs';
import { Fragment, h, render } from '/web/vendor/preact.mjs';

export const html = htm.bind(h);
export { Fragment, h, render, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState };

/** Loads `fn()` on mount and whenever `deps` change; `reload()` fetches again. */
export function useLoad(fn, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

/** A status line announced to screen readers; `kind` is 'ok' or 'error'. */
export function Status({ msg }) {
  if (!msg) return html`<p class="status" role="status"></p>`;
  return html`<p class=${`status ${msg.kind}`} role=${msg.kind === 'error' ? 'alert' : 'status'}>${msg.text}</p>`;
}

export const errText = (err) => (err?.message ? err.message : String(err));
