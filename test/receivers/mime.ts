/**
 * A deliberately small MIME reader for tests: enough of RFC 2045/2046/2047 to check what Herald's mail
 * looks like on arrival (decoded subject, the text and HTML alternatives, headers), with no dependency.
 * It works on latin1 strings so every byte survives until a part's charset says how to decode it.
 */

export interface MimePart {
  /** Lower-cased header names; values unfolded and with encoded words decoded. */
  headers: Record<string, string>;
  /** `type/subtype`, lower-cased; `text/plain` when absent. */
  contentType: string;
  params: Record<string, string>;
  /** Decoded body of a leaf part (empty for multipart containers). */
  body: string;
  parts: MimePart[];
}

function decodeBytes(bytes: Buffer, charset = 'utf-8'): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

function qpBytes(text: string, underscoreIsSpace: boolean): Buffer {
  const source = underscoreIsSpace ? text.replace(/_/g, ' ') : text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < source.length; i++) {
    const hex = source.slice(i + 1, i + 3);
    if (source[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(source.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

const ENCODED_WORD = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;

/** Decodes RFC 2047 encoded words; adjacent words are joined before decoding since a character may straddle two. */
export function decodeHeaderValue(latin1: string): string {
  const value = decodeBytes(Buffer.from(latin1, 'latin1'));
  return value.replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)(\s+=\?[^?]+\?[BbQq]\?[^?]*\?=)*/g, (run) => {
    let charset = 'utf-8';
    const chunks: Buffer[] = [];
    for (const [, cs, enc, text] of run.matchAll(ENCODED_WORD)) {
      charset = cs.split('*')[0];
      chunks.push(enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qpBytes(text, true));
    }
    return decodeBytes(Buffer.concat(chunks), charset);
  });
}

function parseParams(value: string): { value: string; params: Record<string, string> } {
  const [head, ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const item of rest) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    params[item.slice(0, eq).trim().toLowerCase()] = item
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { value: head.trim().toLowerCase(), params };
}

function splitHeaderBody(latin1: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(latin1);
  if (!match) return { head: latin1, body: '' };
  return { head: latin1.slice(0, match.index), body: latin1.slice(match.index + match[0].length) };
}

/** Parses a whole message (or one part) from its raw bytes. */
export function parseMime(raw: Buffer | string): MimePart {
  const latin1 = typeof raw === 'string' ? raw : raw.toString('latin1');
  const { head, body } = splitHeaderBody(latin1);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = decodeHeaderValue(line.slice(colon + 1).trim());
  }
  const { value: contentType, params } = parseParams(headers['content-type'] ?? 'text/plain');
  const part: MimePart = { headers, contentType, params, body: '', parts: [] };

  if (contentType.startsWith('multipart/') && params.boundary) {
    const delimiter = `--${params.boundary}`;
    const sections = body.split(new RegExp(`\\r?\\n?${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // The first section is the preamble; the one starting with "--" is the epilogue after the close delimiter.
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break;
      part.parts.push(parseMime(section.replace(/^[ \t]*\r?\n/, '')));
    }
    return part;
  }

  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const bytes =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? qpBytes(body, false)
        : Buffer.from(body, 'latin1');
  const decoded = decodeBytes(bytes, params.charset);
  // Text travels in canonical CRLF form (RFC 2045); tests compare against what the sender wrote.
  part.body = contentType.startsWith('text/') ? decoded.replace(/\r\n/g, '\n') : decoded;
  return part;
}

/** Every leaf part, depth first, so tests can find the text/plain and text/html alternatives. */
export function leafParts(part: MimePart): MimePart[] {
  return part.parts.length === 0 ? [part] : part.parts.flatMap(leafParts);
}
