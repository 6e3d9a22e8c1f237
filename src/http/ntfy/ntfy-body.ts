import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalid } from '../../domain/errors.ts';
import { isTrue, parseActions, parsePriority, splitList } from '../../services/ntfy-format.ts';
import type { NtfyPublishInput } from '../../services/ntfy-publish.service.ts';
import { PUBLISH_PARAMS, readParam } from './ntfy-params.ts';

/** ntfy's message size limit: a longer or non-UTF-8 body is a file. */
const MESSAGE_LIMIT_BYTES = 4096;

/**
 * A request body as bytes, whatever its Content-Type (ntfy reads `curl -d`, `curl -T file` and
 * JSON alike). The bytes are not enumerable, so hooks that walk parsed bodies skip them.
 */
export class RawBody {
  readonly #bytes: Buffer;
  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }
  get bytes(): Buffer {
    return this.#bytes;
  }
}

export function installRawBodies(app: FastifyInstance, maxBytes: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) => {
    done(null, new RawBody(body as Buffer));
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function textOf(bytes: Buffer): string | undefined {
  if (bytes.length > MESSAGE_LIMIT_BYTES) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Every publish parameter from headers or query parameters, plus the body as text or file. */
export function publishInputOf(request: FastifyRequest, topic: string, body?: RawBody): NtfyPublishInput {
  const p = (k: keyof typeof PUBLISH_PARAMS) => readParam(request, ...PUBLISH_PARAMS[k]);
  const attach = p('attach');
  const filename = p('filename');
  const bytes = body?.bytes ?? Buffer.alloc(0);
  let message = p('message')?.replaceAll('\\n', '\n');
  let file: NtfyPublishInput['file'];
  if (bytes.length > 0) {
    const text = attach ? bytes.toString('utf8') : filename ? undefined : textOf(bytes);
    if (text !== undefined) message = text.trim();
    else {
      const type = request.headers['content-type'];
      file = {
        bytes,
        contentType:
          typeof type === 'string' && !type.startsWith('application/x-www-form')
            ? type
            : 'application/octet-stream',
      };
    }
  }
  const markdownType = readParam(request, 'content-type', 'content_type')?.toLowerCase() === 'text/markdown';
  const priority = parsePriority(p('priority'));
  const click = p('click');
  const icon = p('icon');
  const delay = p('delay');
  const email = p('email');
  const title = p('title');
  return {
    topic,
    ...(message !== undefined ? { message } : {}),
    ...(title !== undefined ? { title } : {}),
    ...(priority !== undefined ? { priority } : {}),
    tags: splitList(p('tags')),
    ...(click !== undefined ? { click } : {}),
    ...(icon !== undefined ? { icon } : {}),
    ...(attach !== undefined ? { attach } : {}),
    ...(filename !== undefined ? { filename } : {}),
    actions: parseActions(p('actions')),
    markdown: isTrue(p('markdown')) || markdownType,
    ...(delay !== undefined ? { delay } : {}),
    ...(email !== undefined ? { email } : {}),
    ...(file ? { file } : {}),
  };
}

/** ntfy's JSON publish body, validated by the route schema, then read like headers. */
export function jsonBodyOf(body: RawBody | undefined): unknown {
  const bytes = body?.bytes;
  if (!bytes || bytes.length === 0) throw invalid('topic', 'is required (send a JSON body)');
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid('(body)', 'is not valid JSON');
  }
}
