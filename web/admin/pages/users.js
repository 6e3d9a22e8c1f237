import { html } from '../lib.js';

export function UsersPage() {
  return html`<section aria-labelledby="page-title"><h1 id="page-title" tabindex="-1">Users</h1></section>`;
}
