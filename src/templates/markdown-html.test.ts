import { describe, expect, it } from 'vitest';
import { decodeEntities } from './html-entities.ts';
import { escapeHtml, markdownToHtml, safeUrl } from './markdown-html.ts';

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

describe('decodeEntities', () => {
  it('decodes numeric and common named entities, case-sensitively', () => {
    expect(decodeEntities('&lt;&#65;&#x42;&amp;&copy;&Tab;&nbsp;')).toBe('<AB&©\t\u00a0');
    expect(decodeEntities('&Colon; &unknown; &constructor; &#0; & alone')).toBe(
      '&Colon; &unknown; &constructor; \ufffd & alone',
    );
  });
});

describe('markdownToHtml', () => {
  it('escapes raw HTML blocks and inline tags from the source', () => {
    const html = markdownToHtml('<script>alert(1)</script>\n\nhi <iframe src="x"></iframe>');
    expect(html).not.toMatch(/<(script|iframe)/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('escapes link titles and image alt text', () => {
    const html = markdownToHtml(
      '[a](https://x.example "t\\"><b>") ![x" onerror="y](https://x.example/i.png)',
    );
    expect(html).toContain('title="t&quot;&gt;&lt;b&gt;"');
    expect(html).toContain('alt="x&quot; onerror=&quot;y"');
  });

  it('escapes every HTML-significant character', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
