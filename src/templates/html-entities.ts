// Entity decoding for the two places that must see text as a browser would: plaintext output
// (entities written in markdown mean their characters) and URL checks (the browser decodes
// `&#106;` before it reads a scheme). Only common named entities are known; an unknown one is
// left as written, and the HTML renderer escapes its `&` so it stays inert there too.

const NAMED: Record<string, string> = {
  amp: '&',
  AMP: '&',
  lt: '<',
  LT: '<',
  gt: '>',
  GT: '>',
  quot: '"',
  QUOT: '"',
  apos: "'",
  nbsp: '\u00a0',
  Tab: '\t',
  NewLine: '\n',
  colon: ':',
  copy: '©',
  COPY: '©',
  reg: '®',
  REG: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  bull: '•',
  middot: '·',
  deg: '°',
  plusmn: '±',
  times: '×',
  divide: '÷',
  sect: '§',
  para: '¶',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
};

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g;

function fromCodePoint(code: number, raw: string): string {
  // Out-of-range and NUL code points decode to U+FFFD, as HTML parsers do.
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
  return Number.isFinite(code) ? String.fromCodePoint(code) : raw;
}

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (raw, dec?: string, hex?: string, name?: string) => {
    if (dec !== undefined) return fromCodePoint(Number.parseInt(dec, 10), raw);
    if (hex !== undefined) return fromCodePoint(Number.parseInt(hex, 16), raw);
    return Object.hasOwn(NAMED, name!) ? NAMED[name!] : raw;
  });
}
