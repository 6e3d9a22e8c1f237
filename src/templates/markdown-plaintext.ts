// Markdown → plaintext for channels that cannot show markup (push, SMS-like chat, text/plain
// email parts, the inbox watch `format=plaintext`). It walks marked's tokens rather than
// regex-stripping the source, so escapes, code and nesting are read exactly as the HTML renderer
// reads them.

import { decodeHTMLStrict as decodeEntities } from 'entities';
import type { Token, Tokens } from 'marked';
import { lexMarkdown, safeUrl } from './markdown-html.ts';

export function markdownToPlaintext(markdown: string): string {
  return blocks(lexMarkdown(markdown))
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function blocks(tokens: readonly Token[]): string {
  let out = '';
  for (const token of tokens) out += block(token as Tokens.Generic);
  return out;
}

function block(token: Tokens.Generic): string {
  switch (token.type) {
    case 'space':
    case 'def':
    case 'hr':
      return '';
    case 'paragraph':
    case 'heading':
      return `${inline(token.tokens ?? [])}\n\n`;
    case 'code':
      // Fences are unwrapped; the code itself is shown verbatim, entities and all.
      return `${token.text}\n\n`;
    case 'blockquote':
      return blocks(token.tokens ?? []);
    case 'list':
      return `${list(token as Tokens.List)}\n`;
    case 'table':
      return `${table(token as Tokens.Table)}\n\n`;
    case 'html':
      // Shown as written, like the HTML renderer shows it escaped.
      return `${token.text.trim()}\n\n`;
    case 'text':
      // Block-level text appears inside tight list items.
      return `${token.tokens ? inline(token.tokens) : decodeEntities(token.text)}\n`;
    default:
      return token.tokens ? blocks(token.tokens) : decodeEntities(token.raw ?? '');
  }
}

function list(token: Tokens.List): string {
  const start = typeof token.start === 'number' ? token.start : 1;
  let out = '';
  token.items.forEach((item, i) => {
    const marker = token.ordered ? `${start + i}. ` : '- ';
    const check = item.task ? (item.checked ? '[x] ' : '[ ] ') : '';
    // Continuation lines and nested lists line up under the item's text; blank lines between
    // an item's paragraphs collapse to one so tight and loose lists read alike.
    const body = blocks(item.tokens.filter((t) => t.type !== 'checkbox'))
      .trim()
      .replace(/\n{2,}/g, '\n')
      .replaceAll('\n', `\n${' '.repeat(marker.length)}`);
    out += `${marker}${check}${body}\n`;
  });
  return out;
}

function table(token: Tokens.Table): string {
  const row = (cells: Tokens.TableCell[]) => cells.map((c) => inline(c.tokens)).join(' | ');
  return [row(token.header), ...token.rows.map(row)].join('\n');
}

function inline(tokens: readonly Token[]): string {
  let out = '';
  for (const t of tokens as Tokens.Generic[]) out += span(t);
  return out;
}

function span(token: Tokens.Generic): string {
  switch (token.type) {
    case 'escape':
    case 'codespan':
      // Both carry literal characters: an escaped `\&` or code must not be entity-decoded.
      return token.text;
    case 'br':
      return '\n';
    case 'link':
      return link(token as Tokens.Link);
    case 'image': {
      const alt = decodeEntities(token.text);
      return alt || (safeUrl(token.href) ?? '');
    }
    case 'html':
      return token.text;
    case 'checkbox':
      return '';
    case 'text':
      return token.tokens ? inline(token.tokens) : decodeEntities(token.text);
    default:
      // strong, em, del and anything an extension adds: keep the words, drop the syntax.
      return token.tokens ? inline(token.tokens) : decodeEntities(token.text ?? '');
  }
}

function link(token: Tokens.Link): string {
  const text = inline(token.tokens);
  const href = safeUrl(token.href);
  if (href === undefined || href === text || href === `mailto:${text}`) return text;
  return text === '' ? href : `${text} (${href})`;
}
