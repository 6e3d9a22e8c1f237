import { placeholdersOf, renderTemplate } from '../templates/template-render.ts';

export interface TemplatePreviewInput {
  titleTemplate: string;
  messageTemplate: string;
  /** Sample placeholder values (flat keys or nested objects, as senders pass them). */
  values?: Record<string, unknown>;
}

export interface TemplatePreview {
  title: { markdown: string; plaintext: string };
  message: { markdown: string; plaintext: string; html: string };
  /** Every placeholder the two templates use, in order of first use. */
  placeholders: string[];
  /** Placeholders without a sample value; they render as `{{name}}` so they stay visible. */
  missing: string[];
}

/**
 * What a template renders to, through the same code the senders use: markdown for the inbox,
 * HTML for email and plaintext for chat and push. Nothing is stored.
 */
export function previewTemplate(input: TemplatePreviewInput): TemplatePreview {
  const given = input.values ?? {};
  const placeholders = [
    ...new Set([...placeholdersOf(input.titleTemplate), ...placeholdersOf(input.messageTemplate)]),
  ];
  const missing: string[] = [];
  const values: Record<string, unknown> = {};
  for (const name of placeholders) {
    const value = sampleValue(given, name);
    if (value == null) missing.push(name);
    values[name] = value ?? `{{${name}}}`;
  }
  const title = renderTemplate(input.titleTemplate, values);
  const message = renderTemplate(input.messageTemplate, values);
  return {
    title: { markdown: title.markdown, plaintext: title.plaintext },
    message: { markdown: message.markdown, plaintext: message.plaintext, html: message.html },
    placeholders,
    missing,
  };
}

/** A flat key first, then the dotted path through own properties (as the renderer reads them). */
function sampleValue(values: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(values, name)) return values[name];
  let current: unknown = values;
  for (const part of name.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
