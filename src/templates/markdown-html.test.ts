import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../channels/text-format.ts';
import { markdownToHtml, safeUrl } from './markdown-html.ts';

describe('safeUrl', () => {
  it.each([
    ['https://x.example/a?b=1', 'https://x.example/a?b=1'],
    ['HTTP://x.example', 'HTTP://x.example'],
    ['mailto:ops@example.com', 'mailto:ops@example.com'],
    ['/inbox?id=1', '/inbox?id=1'],
    ['../up', '../up'],
    ['#anchor', '#anchor'],
    ['https://x.example/a b/ü', 'https://x.example/a%20b/%C3%BC'],
    ['https://x.example/%20already', 'https://x.example/%20already'],
  ])('allows %s', (href, expected) => {
    expect(safeUrl(href)).toBe(expected);
  });

  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    '\u0001javascript:alert(1)',
    '&#106;avascript:alert(1)',
    '&#x6A;avascript:alert(1)',
    'javascript&colon;alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html;base64,PHNjcmlwdD4=',
    'file:///etc/passwd',
    '',
    '\ud800',
  ])('refuses %j', (href) => {
    expect(safeUrl(href)).toBeUndefined();
  });
});

describe('markdownToHtml', () => {
  it('escapes raw HTML blocks and inline tags from the source', () => {
    const html = markdownToHtml('<script>alert(1)</script>\n\nhi <iframe src="x"></iframe>');
    expect(html).not.toMatch(/<(script|iframe)/);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });

  it('escapes link titles and image alt text', () => {
    const html = markdownToHtml(
      '[a](https://x.example "t\\"><b>") ![x" onerror="y](https://x.example/i.png)',
    );
    expect(html).toContain('title="t&#34;&#62;&#60;b&#62;"');
    expect(html).toContain('alt="x&#34; onerror=&#34;y"');
  });

  it('escapes every HTML-significant character with references Telegram also reads', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;',
    );
  });

  it('decodes every HTML5 named entity in URLs and titles, but only when closed by a semicolon', () => {
    expect(safeUrl('javascript&Colon;x')).toBe('javascript%E2%88%B7x'); // ∷ is not a colon
    expect(safeUrl('java&Tab;script:alert(1)')).toBeUndefined();
    expect(safeUrl('/a?b=1&copy=2')).toBe('/a?b=1&copy=2');
    expect(markdownToHtml('[a](/x "&hearts; &bogus;")')).toContain('title="♥ &#38;bogus;"');
  });
});
