// Forms generated from JSON Schema (a tool's input schema, the episode options): strings,
// numbers with their bounds, booleans, enums as selects, arrays and nested objects, each with
// its label, description and default; any other shape is edited as JSON. The browser does not
// validate (forms are novalidate): the server checks every argument and says what is wrong.

import { el, uid } from "./dom.js";

/** A value the form cannot build (unparsable JSON in a JSON field). */
export class FormError extends Error {}

const OMIT = undefined;

/** Resolves a local `$ref` (`#/$defs/X`) against the root schema. */
function resolve(schema, root) {
  let current = schema || {};
  for (let hops = 0; current.$ref && hops < 20; hops += 1) {
    const path = current.$ref.replace(/^#\//, "").split("/");
    let found = root;
    for (const part of path) found = found?.[part];
    const { $ref, ...rest } = current;
    current = { ...(found || {}), ...rest };
  }
  return current;
}

/** The one non-null branch of an optional (`X | None`) schema, or null. */
function optionalBranch(schema, root) {
  const branches = schema.anyOf || schema.oneOf;
  if (!branches) return null;
  const real = branches.map((b) => resolve(b, root)).filter((b) => b.type !== "null");
  if (real.length !== 1) return null;
  const { anyOf, oneOf, ...rest } = schema;
  return { ...real[0], ...rest };
}

function describe(schema) {
  const parts = [];
  if (schema.description) parts.push(schema.description);
  const bounds = [];
  if (schema.minimum !== undefined) bounds.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) bounds.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) bounds.push(`≤ ${schema.maximum}`);
  if (schema.exclusiveMaximum !== undefined) bounds.push(`< ${schema.exclusiveMaximum}`);
  if (bounds.length) parts.push(bounds.join(", "));
  if (schema.default !== undefined && schema.default !== null) parts.push(`default: ${JSON.stringify(schema.default)}`);
  return parts.join(" · ");
}

/** A labelled control with its description under it. */
function labelled(name, required, schema, control) {
  const id = uid(`f-${name}`);
  control.id = id;
  const note = describe(schema);
  const noteId = note ? `${id}-note` : null;
  if (noteId) control.setAttribute("aria-describedby", noteId);
  const label = el("label", { for: id }, name, required ? el("span", { class: "req", title: "required" }, " *") : null);
  return el("div", { class: "field" }, label, control, noteId ? el("small", { id: noteId }, note) : null);
}

/**
 * The field for `schema`: `{node, read}`; `read()` gives the value, or undefined to omit it.
 * @param {object} schema @param {{name: string, root: object, required: boolean}} where
 */
export function fieldFor(schema, { name, root, required }) {
  let resolved = resolve(schema, root);
  const optional = optionalBranch(resolved, root);
  if (optional) resolved = optional;
  if (!optional && hasStringBranch(resolved, root)) return textOrJson(name, resolved, required);
  if (resolved.const !== undefined) return constant(name, resolved);
  if (Array.isArray(resolved.enum)) return choice(name, resolved, required);
  const type = Array.isArray(resolved.type) ? resolved.type.find((t) => t !== "null") : resolved.type;
  if (type === "boolean") return checkbox(name, resolved, required);
  if (type === "integer" || type === "number") return number(name, resolved, required, type);
  if (type === "string") return text(name, resolved, required);
  if (type === "object" && resolved.properties) return object(name, resolved, root, required);
  if (type === "array" && resolved.items && !Array.isArray(resolved.items)) return array(name, resolved, root, required);
  return json(name, resolved, required);
}

/** The fields of an object schema's properties, as `{nodes, read}` (no fieldset around them). */
export function propertiesOf(schema, root, skip = []) {
  const resolved = resolve(schema, root);
  const needed = new Set(resolved.required || []);
  const fields = Object.entries(resolved.properties || {})
    .filter(([key]) => !skip.includes(key))
    .map(([key, sub]) => [key, fieldFor(sub, { name: key, root, required: needed.has(key) })]);
  return {
    nodes: fields.map(([, field]) => field.node),
    read() {
      const value = {};
      for (const [key, field] of fields) {
        const item = field.read();
        if (item !== OMIT) value[key] = item;
      }
      return value;
    },
  };
}

function constant(name, schema) {
  return { node: el("p", { class: "const" }, `${name}: ${JSON.stringify(schema.const)}`), read: () => schema.const };
}

function choice(name, schema, required) {
  const select = el("select", {});
  const hasDefault = schema.default !== undefined;
  if (!required) select.append(el("option", { value: "" }, hasDefault ? `(default: ${JSON.stringify(schema.default)})` : "(none)"));
  schema.enum.forEach((value, index) => {
    select.append(el("option", { value: String(index) }, typeof value === "string" ? value : JSON.stringify(value)));
  });
  return {
    node: labelled(name, required, schema, select),
    read: () => (select.value === "" ? OMIT : schema.enum[Number(select.value)]),
  };
}

function checkbox(name, schema, required) {
  const initial = schema.default === true;
  const box = el("input", { type: "checkbox", checked: initial });
  return {
    node: labelled(name, required, schema, box),
    // Unchanged and optional: left to the server's default.
    read: () => (!required && box.checked === initial ? OMIT : box.checked),
  };
}

function number(name, schema, required, type) {
  const input = el("input", {
    type: "number",
    inputmode: type === "integer" ? "numeric" : "decimal",
    step: type === "integer" ? "1" : "any",
    min: schema.minimum ?? schema.exclusiveMinimum,
    max: schema.maximum ?? schema.exclusiveMaximum,
    placeholder: schema.default !== undefined && schema.default !== null ? String(schema.default) : "",
  });
  return {
    node: labelled(name, required, schema, input),
    read: () => (input.value.trim() === "" ? OMIT : Number(input.value)),
  };
}

const LONG_TEXT = /^(content|code|source|text|body|script|patch)$/i;

function text(name, schema, required) {
  const long = LONG_TEXT.test(name);
  const attributes = {
    placeholder: typeof schema.default === "string" ? schema.default : "",
    spellcheck: "false",
    autocomplete: "off",
  };
  const input = long ? el("textarea", { rows: 6, ...attributes }) : el("input", { type: "text", ...attributes });
  return {
    node: labelled(name, required, schema, input),
    // An optional empty string is left out; a required one is sent, for the server to judge.
    read: () => (input.value === "" && !required ? OMIT : input.value),
  };
}

function object(name, schema, root, required) {
  const inner = propertiesOf(schema, root);
  const legend = el("legend", {}, name, required ? " *" : "");
  const note = describe(schema);
  const node = el("fieldset", { class: "object" }, legend, note ? el("small", {}, note) : null, ...inner.nodes);
  return {
    node,
    read() {
      const value = inner.read();
      return !required && Object.keys(value).length === 0 ? OMIT : value;
    },
  };
}

function array(name, schema, root, required) {
  const items = [];
  const list = el("ol", { class: "items" });
  const add = el("button", { type: "button" }, `Add ${name} item`);
  const note = describe(schema);
  const node = el("fieldset", { class: "array" }, el("legend", {}, name, required ? " *" : ""), note ? el("small", {}, note) : null, list, add);
  add.addEventListener("click", () => {
    const field = fieldFor(schema.items, { name: `${name}[${items.length}]`, root, required: true });
    const remove = el("button", { type: "button", class: "remove" }, `Remove ${name} item`);
    const row = el("li", {}, field.node, remove);
    const entry = { field, row };
    items.push(entry);
    remove.addEventListener("click", () => {
      items.splice(items.indexOf(entry), 1);
      row.remove();
      add.focus();
    });
    list.append(row);
    row.querySelector("input, select, textarea, button")?.focus();
  });
  return {
    node,
    read() {
      if (!items.length && !required) return OMIT;
      return items.map(({ field }) => field.read()).map((v) => (v === OMIT ? null : v));
    },
  };
}

function hasStringBranch(schema, root) {
  const branches = schema.anyOf || schema.oneOf || [];
  return branches.some((b) => resolve(b, root).type === "string");
}

// A string or another shape (`str | Task`): text as typed, or JSON where it reads as an object or list.
function textOrJson(name, schema, required) {
  const input = el("textarea", { rows: 2, spellcheck: "false", autocomplete: "off" });
  const note = { ...schema, description: `${schema.description || ""} (text, or JSON for another shape)`.trim() };
  return {
    node: labelled(name, required, note, input),
    read() {
      const value = input.value;
      if (value === "") return required ? "" : OMIT;
      if (!/^\s*[[{]/.test(value)) return value;
      try {
        return JSON.parse(value);
      } catch (error) {
        throw new FormError(`${name}: not JSON (${error.message})`);
      }
    },
  };
}

function json(name, schema, required) {
  const area = el("textarea", { rows: 3, spellcheck: "false", class: "json", placeholder: "JSON" });
  return {
    node: labelled(`${name} (JSON)`, required, schema, area),
    read() {
      if (area.value.trim() === "") return OMIT;
      try {
        return JSON.parse(area.value);
      } catch (error) {
        throw new FormError(`${name}: not JSON (${error.message})`);
      }
    },
  };
}
