// Markdown → Preact elements. Every piece of server text ends up as a text node or an
// attribute Preact sets by property, never as HTML: raw HTML in a message (`<img onerror>`)
// shows as the characters it is. Links keep only http(s) and mailto targets.
import { h } from './lib.js';

const SAFE_URL = /^(https?:|mailto:)/i;

export function safeUrl(url) {
  const u = String(url ?? '').trim();
  return SAFE_URL.test(u) ? u : null;
}

// code span | **strong** | *em* or _em_ | [text](url) | bare url
const INLINE =
  /(`[^`]+`)|(\*\*[^*]+\*\*|__[^_]+__)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))|(https?:\/\/[^\s<>()]+)/;

function inline(text) {
  const out = [];
  let rest = text;
  while (rest) {
    const m = INLINE.exec(rest);
    if (!m) {
      out.push(rest);
      break;
    }
    if (m.index > 0) out.push(rest.slice(0, m.index));
    const [tok] = m;
    if (m[1]) out.push(h('code', null, tok.slice(1, -1)));
    else if (m[2]) out.push(h('strong', null, inline(tok.slice(2, -2))));
    else if (m[3]) out.push(h('em', null, inline(tok.slice(1, -1))));
    else if (m[4]) {
      const close = tok.indexOf('](');
      const label = tok.slice(1, close);
      const href = safeUrl(tok.slice(close + 2, -1));
      out.push(href ? h('a', { href, rel: 'noopener noreferrer', target: '_blank' }, inline(label)) : label);
    } else if (m[5]) out.push(h('a', { href: tok, rel: 'noopener noreferrer', target: '_blank' }, tok));
    rest = rest.slice(m.index + tok.length);
  }
  return out;
}

/** Renders `source` as block elements (paragraphs, headings, lists, quotes, code blocks). */
export function Markdown({ source, class: cls }) {
  const lines = String(source ?? '')
    .replace(/\r\n?/g, '\n')
    .split('\n');
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^\s*$/.test(line)) {
      i++;
    } else if (/^```/.test(line)) {
      const code = [];
      i++;
      while (i < lines.length && !/^```/.test(lines[i])) code.push(lines[i++]);
      i++;
      blocks.push(h('pre', null, h('code', null, code.join('\n'))));
    } else if (/^#{1,6}\s/.test(line)) {
      const level = Math.min(line.match(/^#+/)[0].length + 3, 6); // inside a card: h4..h6
      blocks.push(h(`h${level}`, null, inline(line.replace(/^#+\s*/, ''))));
      i++;
    } else if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items = [];
      while (i < lines.length && /^\s*([-*+]|\d+[.)])\s+/.test(lines[i])) {
        items.push(h('li', null, inline(lines[i].replace(/^\s*([-*+]|\d+[.)])\s+/, ''))));
        i++;
      }
      blocks.push(h(ordered ? 'ol' : 'ul', null, items));
    } else if (/^>/.test(line)) {
      const quote = [];
      while (i < lines.length && /^>/.test(lines[i])) quote.push(lines[i++].replace(/^>\s?/, ''));
      blocks.push(h('blockquote', null, inline(quote.join(' '))));
    } else {
      const para = [];
      while (
        i < lines.length &&
        !/^\s*$/.test(lines[i]) &&
        !/^(```|#{1,6}\s|>|\s*([-*+]|\d+[.)])\s+)/.test(lines[i])
      ) {
        para.push(lines[i++]);
      }
      const parts = [];
      para.forEach((p, n) => {
        if (n > 0) parts.push(h('br', null));
        parts.push(...inline(p));
      });
      blocks.push(h('p', null, parts));
    }
  }
  return h('div', { class: cls ?? 'md' }, blocks);
}
