import { ERRORS, type ErrorEntry } from './errors.ts';

/**
 * docs/errors.md, written from the catalogue by `npm run docs:errors`; a unit test fails when the
 * file and the catalogue disagree, so the page cannot drift from what the server sends.
 */
export function errorsMarkdown(): string {
  const entries = Object.entries(ERRORS as Record<string, ErrorEntry>).sort(
    ([, a], [, b]) => a.code - b.code,
  );
  const lines = [
    '# Error codes',
    '',
    '<!-- Generated from src/domain/errors.ts by `npm run docs:errors`; edit the catalogue, not this file. -->',
    '',
    'Every error Herald answers has a stable numeric code: the HTTP status times 100 plus a number',
    '(`40401`). Codes are never renumbered or reused. The code is sent in the `X-Herald-Error-Code`',
    'response header on every error, in every API family, so a client can branch on it without',
    'parsing text. The body keeps the shape of the family that answered:',
    '',
    '- everywhere except the tenant and Gotify families: `{"message": "...", "detail": "...", "validations": [{"field": "...", "detail": "..."}]}`;',
    '  `message` is the entry’s message below, `detail` says what exactly was wrong;',
    '- the tenant family (`/notification/v1`): `{"statusCode": 400, "timestamp": "...", "message": "...", "data": null, "errors": [{"field": "...", "detail": "..."}]}`',
    '  (see [tenant-api.md](tenant-api.md));',
    '- the Gotify family (`/message`, `/application`, `/client`, …): `{"error": "Bad Request", "errorCode": 400, "errorDescription": "..."}`',
    '  with the HTTP status and what exactly was wrong (see [gotify.md](gotify.md)).',
    '',
    '| code | status | message |',
    '| ---- | ------ | ------- |',
    ...entries.map(([, e]) => `| [${e.code}](#${e.code}) | ${e.status} | ${e.message} |`),
    '',
  ];
  for (const [name, e] of entries) {
    lines.push(
      `<a id="${e.code}"></a>`,
      '',
      `## ${e.code} ${name}`,
      '',
      `HTTP ${e.status}: ${e.message}`,
      '',
      e.help,
      '',
    );
  }
  return lines.join('\n');
}
