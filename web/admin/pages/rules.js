import { html } from '../lib.js';

export function RulesPage() {
  return html`<section aria-labelledby="page-title"><h1 id="page-title" tabindex="-1">Rules</h1></section>`;
}
