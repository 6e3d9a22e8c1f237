// Markdown → HTML for notification bodies. The output lands in inbox UIs and HTML emails, so it is
// treated as untrusted: raw HTML in the source is shown as text, never passed through, and links
// and images keep only schemes that cannot run script.

import { decodeHTMLStrict as decodeEntities } from 'entities';
import { Marked, type Tokens } from 'marked';
import { escapeHtml } from '../channels/text-format.ts';

/** Schemes a rendered link or image may use; anything else renders as plain text. */
const ALLOWED_SCHEMES = new Set(['http', 'https', 'mailto']);

// Browsers strip leading controls and spaces and drop tabs and newlines anywhere in a URL before
// reading its scheme, so `java\tscript:` is `javascript:`. Removing every control is a superset.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching controls is the point here
const URL_IGNORED_CHARS = /[\u0000-\u0020\u007f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the URL parser trims exactly these
const URL_EDGE_CHARS = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/**
 * Returns the URL to emit, or undefined when it must not become a link. Entities are decoded
 * first because the browser would decode them too (`&#106;avascript:` is `javascript:`); only
 * references closed by `;` count, as CommonMark reads them.
 * Relative URLs (no scheme) are allowed.
 */
export function safeUrl(href: string): string | undefined {
  const decoded = decodeEntities(href);
  // The scheme is judged on a copy without any controls or spaces, so no spelling of
  // `javascript:` slips through; the URL emitted keeps inner spaces (encoded below).
  const probe = decoded.replace(URL_IGNORED_CHARS, '');
  if (probe === '') return undefined;
  const scheme = SCHEME.exec(probe)?.[1];
  if (scheme !== undefined && !ALLOWED_SCHEMES.has(scheme.toLowerCase())) return undefined;
  const url = decoded.replace(URL_EDGE_CHARS, '').replace(/[\t\n\r]/g, '');
  try {
    // Percent-encode spaces and non-ASCII as marked does, keeping existing `%xx` sequences.
    return encodeURI(url).replace(/%25/g, '%');
  } catch {
    return undefined; // a lone surrogate cannot be encoded into a URL
  }
}

function titleAttr(title: string | null | undefined): string {
  return title ? ` title="${escapeHtml(decodeEntities(title))}"` : '';
}

const md = new Marked({
  gfm: true,
  async: false,
  renderer: {
    // Raw HTML from the template source (values cannot produce it: their `<` is escaped before
    // lexing) is shown as text rather than dropped, so authors see what they wrote.
    html(token: Tokens.HTML | Tokens.Tag): string {
      const text = escapeHtml(token.text);
      return 'block' in token && token.block ? `<p>${text.trim()}</p>\n` : text;
    },
    link(token: Tokens.Link): string {
      const inner = this.parser.parseInline(token.tokens);
      const href = safeUrl(token.href);
      if (href === undefined) return inner;
      // Every `&` is escaped in the attribute so entities we did not decode stay inert text.
      return `<a href="${escapeHtml(href)}"${titleAttr(token.title)}>${inner}</a>`;
    },
    image(token: Tokens.Image): string {
      const src = safeUrl(token.href);
      const alt = escapeHtml(decodeEntities(token.text));
      if (src === undefined) return alt;
      return `<img src="${escapeHtml(src)}" alt="${alt}"${titleAttr(token.title)}>`;
    },
  },
});

/** Renders markdown to HTML that contains no raw HTML and no script-capable URLs. */
export function markdownToHtml(markdown: string): string {
  return md.parse(markdown, { async: false });
}

/** The same lexer configuration as the HTML renderer, so plaintext and HTML agree on structure. */
export function lexMarkdown(markdown: string) {
  return md.lexer(markdown);
}
