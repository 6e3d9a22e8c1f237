import { ParserInputError } from '../../src/ingest/parsers/parser.ts';

/**
 * The field `parse` refuses `payload` for (where Zentik's parser fails or stores an error
 * message). Throws when the payload is accepted or fails in any other way.
 */
export function refusedFieldOf(parse: (payload: unknown) => unknown, payload: unknown): string | undefined {
  try {
    parse(payload);
  } catch (err) {
    if (err instanceof ParserInputError) return err.field;
    throw err;
  }
  throw new Error('payload was accepted');
}
