import { html } from '../lib.js';

export function TemplatesPage() {
  return html`<section aria-labelledby="page-title"><h1 id="page-title" tabindex="-1">Templates</h1></section>`;
}
