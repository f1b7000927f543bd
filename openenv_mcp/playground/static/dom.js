// Building the page from text only: every string goes in as a text node or an attribute value,
// never as markup, so nothing an environment or an observation says can become an element.

/** An element with attributes and children (strings become text nodes). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === undefined || value === null) continue;
    if (name.startsWith("on")) throw new Error("no inline handlers: use addEventListener");
    node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** An SVG element (the reward chart). */
export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

let counter = 0;
/** A document-unique id for a label's `for` or an `aria-describedby`. */
export function uid(prefix) {
  counter += 1;
  return `${prefix.replace(/[^A-Za-z0-9_-]/g, "-")}-${counter}`;
}

export const TOKEN_KEY = "openenv-mcp-token";

/** The bearer token this tab uses (kept for the tab's life only). */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Shows a token form in `section`; `done` runs once a token is given. */
export function askForToken(section, message, done) {
  section.replaceChildren();
  const input = el("input", { id: "token", type: "password", autocomplete: "off", required: true });
  const form = el(
    "form",
    { class: "token-form" },
    el("p", {}, message),
    el("label", { for: "token" }, "Bearer token"),
    input,
    el("button", { type: "submit" }, "Use token"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setToken(input.value.trim());
    section.hidden = true;
    done();
  });
  section.append(form);
  section.hidden = false;
  input.focus();
}
