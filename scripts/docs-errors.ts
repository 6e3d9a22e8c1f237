// Writes docs/errors.md from the error catalogue (`npm run docs:errors`).
import { writeFileSync } from 'node:fs';
import { errorsMarkdown } from '../src/domain/errors-markdown.ts';

writeFileSync(new URL('../docs/errors.md', import.meta.url), errorsMarkdown());
