import { html } from '../lib.js';

export function LogPage() {
  return html`<section aria-labelledby="page-title"><h1 id="page-title" tabindex="-1">Log</h1></section>`;
}
