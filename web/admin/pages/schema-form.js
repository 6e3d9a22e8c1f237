// A form generated from a JSON schema (a channel's config schema from /openapi.json): one
// field per property, typed by the schema; secrets (described as such) are password inputs
// showing the masked value the server returns, which saves back unchanged.
import { html } from '../lib.js';

const isSecret = (prop) => /secret/i.test(prop.description ?? '');
const kindOf = (prop) => {
  if (prop.enum) return 'enum';
  if (prop.type === 'boolean') return 'boolean';
  if (prop.type === 'integer' || prop.type === 'number') return 'number';
  if (prop.type === 'object') return 'json';
  return 'text';
};

/** Reads the form's values back into a config object the schema accepts. */
export function readSchemaForm(schema, form, prefix) {
  const out = {};
  const errors = [];
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const el = form.elements.namedItem(`${prefix}.${key}`);
    if (!el) continue;
    const kind = kindOf(prop);
    if (kind === 'boolean') {
      out[key] = el.checked;
      continue;
    }
    const raw = el.value.trim();
    if (raw === '') continue;
    if (kind === 'number') out[key] = Number(raw);
    else if (kind === 'json') {
      try {
        out[key] = JSON.parse(raw);
      } catch {
        errors.push(`${key}: must be JSON, like {"X-Api-Key": "…"}`);
      }
    } else out[key] = raw;
  }
  return { config: out, errors };
}

export function SchemaForm({ schema, values, prefix }) {
  const required = new Set(schema.required ?? []);
  return html`${Object.entries(schema.properties ?? {}).map(([key, prop]) => {
    const id = `${prefix}-${key}`;
    const name = `${prefix}.${key}`;
    const value = values?.[key];
    const kind = kindOf(prop);
    const label = html`${key}${required.has(key) ? html`<span aria-hidden="true"> *</span>` : ''}`;
    const help = prop.description
      ? html`<small class="muted" id=${`${id}-help`}>${prop.description}</small>`
      : null;
    const described = prop.description ? `${id}-help` : undefined;
    if (kind === 'boolean') {
      return html`<div key=${key}><label class="check"><input type="checkbox" id=${id} name=${name}
        checked=${value ?? prop.default ?? false} aria-describedby=${described} /> ${label}</label>${help}</div>`;
    }
    let field;
    if (kind === 'enum') {
      field = html`<select id=${id} name=${name} aria-describedby=${described}>
        ${prop.enum.map((v) => html`<option value=${v} selected=${(value ?? prop.default) === v}>${v}</option>`)}
      </select>`;
    } else if (kind === 'json') {
      field = html`<textarea id=${id} name=${name} rows="3" aria-describedby=${described}
        value=${value === undefined ? '' : JSON.stringify(value, null, 1)}></textarea>`;
    } else {
      field = html`<input id=${id} name=${name} type=${isSecret(prop) ? 'password' : kind === 'number' ? 'number' : 'text'}
        autocomplete="off" required=${required.has(key)} aria-required=${required.has(key)} aria-describedby=${described}
        value=${value === undefined ? '' : String(value)} min=${prop.minimum} max=${prop.maximum} />`;
    }
    return html`<div key=${key}><label for=${id}>${label}</label>${field}${help}</div>`;
  })}`;
}
