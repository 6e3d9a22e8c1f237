import { describe, expect, it } from 'vitest';
import { escapeMarkdown, missingPlaceholders, placeholdersOf, renderTemplate } from './template-render.ts';

describe('placeholdersOf', () => {
  it('finds plain, spaced and dotted placeholders once each, in order of first use', () => {
    const template = 'Hi {{name}}, {{ user.name }} has {{count}} new; bye {{name}} and {{user.name}}';
    expect(placeholdersOf(template)).toEqual(['name', 'user.name', 'count']);
  });

  it('ignores braces that are not placeholders', () => {
    expect(placeholdersOf('{x} {{}} {{ a b }} {{a..b}} {{ok_1-2}}')).toEqual(['ok_1-2']);
  });
});

describe('missingPlaceholders', () => {
  it('reports absent, undefined and null values but accepts empty strings and falsy values', () => {
    const template = '{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{user.name}} {{user.email}}';
    const values = { b: undefined, c: null, d: '', e: 0, f: false, user: { name: 'Ann' } };
    expect(missingPlaceholders(template, values)).toEqual(['a', 'b', 'c', 'user.email']);
  });

  it('never resolves placeholders through the prototype chain', () => {
    expect(missingPlaceholders('{{constructor}} {{toString}} {{a.__proto__}}', { a: {} })).toEqual([
      'constructor',
      'toString',
      'a.__proto__',
    ]);
  });
});

describe('renderTemplate substitution', () => {
  it('fills values, with a flat dotted key taking precedence over a nested path', () => {
    expect(renderTemplate('{{user.name}}', { 'user.name': 'flat', user: { name: 'nested' } }).plaintext).toBe(
      'flat',
    );
    expect(renderTemplate('{{user.name}}', { user: { name: 'nested' } }).plaintext).toBe('nested');
  });

  it('renders missing values as empty strings', () => {
    const r = renderTemplate('Hello {{name}}!', {});
    expect(r.markdown).toBe('Hello !');
    expect(r.plaintext).toBe('Hello !');
  });

  it('renders numbers and booleans as text and objects as JSON', () => {
    const r = renderTemplate('{{n}} {{b}} {{o}}', { n: 42.5, b: false, o: { ids: [1, 2] } });
    expect(r.plaintext).toBe('42.5 false {"ids":[1,2]}');
  });

  it('does not substitute placeholders that appear inside values', () => {
    expect(renderTemplate('{{a}}', { a: '{{b}}', b: 'leak' }).plaintext).toBe('{{b}}');
  });
});

describe('renderTemplate escaping of untrusted values', () => {
  it('shows <script> as text in every output', () => {
    const r = renderTemplate('Hello **{{name}}**', { name: '<script>alert(1)</script>' });
    expect(r.html).not.toContain('<script');
    expect(r.html).toContain('<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>');
    expect(r.plaintext).toBe('Hello <script>alert(1)</script>');
  });

  it('does not let a value form a javascript: link', () => {
    const r = renderTemplate('See {{v}}', { v: '[x](javascript:alert(1))' });
    expect(r.html).not.toContain('<a');
    expect(r.html).toContain('[x](javascript:alert(1))');
    expect(r.plaintext).toBe('See [x](javascript:alert(1))');
  });

  it('keeps ** and other markdown syntax in values literal', () => {
    const r = renderTemplate('{{v}}', { v: '**bold** _em_ `code` ~~del~~ ![i](https://x.example/i.png)' });
    expect(r.html).not.toMatch(/<(strong|em|code|del|img)/);
    expect(r.plaintext).toBe('**bold** _em_ `code` ~~del~~ ![i](https://x.example/i.png)');
  });

  it('does not let value lines become headings, lists, quotes or code blocks', () => {
    const r = renderTemplate('{{v}}', { v: '# h\n- item\n1. one\n> quote\n    indented\n===' });
    expect(r.html).not.toMatch(/<(h\d|ul|ol|li|blockquote|pre)/);
    expect(r.plaintext).toBe('# h\n- item\n1. one\n> quote\nindented\n===');
  });

  it('keeps entities in values literal and bare URLs in values unlinked', () => {
    const r = renderTemplate('{{v}}', { v: '&lt;b&gt; https://x.example/a_b a@b.example www.c.example' });
    expect(r.html).toContain('&amp;lt;b&amp;gt;');
    expect(r.html).not.toContain('<a');
    expect(r.plaintext).toBe('&lt;b&gt; https://x.example/a_b a@b.example www.c.example');
  });

  it('turns a value into a link only where the template asks, and only with a safe scheme', () => {
    const safe = renderTemplate('[open]({{url}})', { url: 'https://x.example/a_b?q=1&r=2' });
    expect(safe.html).toContain('<a href="https://x.example/a_b?q=1&#38;r=2">open</a>');
    expect(safe.plaintext).toBe('open (https://x.example/a_b?q=1&r=2)');
    for (const url of ['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,x', ' vbscript:x']) {
      const r = renderTemplate('[open]({{url}})', { url });
      expect(r.html, url).not.toContain('<a');
      expect(r.plaintext, url).toBe('open');
    }
  });

  it('escapes with backslashes that markdown readers understand', () => {
    expect(escapeMarkdown('a*b_c <d> & [e]')).toBe('a\\*b\\_c \\<d\\> \\& \\[e\\]');
  });
});

describe('renderTemplate markdown → html and plaintext', () => {
  const template = [
    '# Backup {{job}} failed',
    '',
    'The **nightly** run on _{{host}}_ stopped. See [the log](https://logs.example/{{job}}) or [inbox](/inbox).',
    '',
    '- retry at {{time}}',
    '- check disk',
    '  1. free space',
    '',
    '```sh',
    'df -h && echo "<ok>"',
    '```',
    '',
    'Reply to <ops@example.com> &amp; relax.',
  ].join('\n');
  const r = renderTemplate(template, { job: 'db', host: 'node-1', time: '02:00' });

  it('produces HTML through marked', () => {
    expect(r.html).toContain('<h1>Backup db failed</h1>');
    expect(r.html).toContain('<strong>nightly</strong> run on <em>node-1</em>');
    expect(r.html).toContain('<a href="https://logs.example/db">the log</a>');
    expect(r.html).toContain('<a href="/inbox">inbox</a>');
    expect(r.html).toContain('<li>retry at 02:00</li>');
    expect(r.html).toContain('<code class="language-sh">df -h &amp;&amp; echo &quot;&lt;ok&gt;&quot;');
    expect(r.html).toContain('<a href="mailto:ops@example.com">ops@example.com</a> &amp; relax.');
  });

  it('produces plaintext without markdown syntax', () => {
    expect(r.plaintext).toBe(
      [
        'Backup db failed',
        '',
        'The nightly run on node-1 stopped. See the log (https://logs.example/db) or inbox (/inbox).',
        '',
        '- retry at 02:00',
        '- check disk',
        '  1. free space',
        '',
        'df -h && echo "<ok>"',
        '',
        'Reply to ops@example.com & relax.',
      ].join('\n'),
    );
  });

  it('shows raw HTML from the template source as text, never as markup', () => {
    const raw = renderTemplate('<div onclick="x">block</div>\n\ninline <img src=x onerror=alert(1)> end', {});
    expect(raw.html).not.toMatch(/<(div|img)/);
    expect(raw.html).toContain('&#60;div onclick=&#34;x&#34;&#62;block&#60;/div&#62;');
    expect(raw.html).toContain('inline &#60;img src=x onerror=alert(1)&#62; end');
  });

  it('drops unsafe links and images in the template source but keeps their text', () => {
    const src = '[a](javascript:alert(1)) [b](&#106;avascript:x) <javascript:alert(1)> ![c](javascript:x)';
    const out = renderTemplate(src, {});
    expect(out.html).not.toMatch(/<(a|img)\b/);
    expect(out.html).not.toMatch(/javascript:x|&#106;/);
    expect(out.plaintext).toBe('a b javascript:alert(1) c');
  });

  it('decodes HTML entities in plaintext but keeps code literal', () => {
    expect(renderTemplate('&copy; &#x41; &quot;q&quot; `&amp;`', {}).plaintext).toBe('© A "q" &amp;');
  });
});
