import { html } from '../lib.js';

export function SettingsPage() {
  return html`<section aria-labelledby="page-title"><h1 id="page-title" tabindex="-1">Settings</h1></section>`;
}
