import { html } from '../lib.js';

export function ChannelsPage() {
  return html`<section aria-labelledby="page-title"><h1 id="page-title" tabindex="-1">Channels</h1></section>`;
}
