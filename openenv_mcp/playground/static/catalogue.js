// The catalogue page: every served environment (GET /envs, with the tab's token) and a link to
// its playground.

import { askForToken, el, token } from "./dom.js";

async function start() {
  const headers = token() ? { Authorization: `Bearer ${token()}` } : {};
  const response = await fetch("/envs", { headers });
  if (response.status === 401 || response.status === 403) {
    askForToken(document.getElementById("auth"), "This server needs a token to list its environments.", start);
    return;
  }
  if (!response.ok) throw new Error(`the catalogue answered ${response.status}`);
  const { environments } = await response.json();
  document.getElementById("catalogue").replaceChildren(...environments.map(item));
}

function item(env) {
  const play = `/envs/${encodeURIComponent(env.name)}/play`;
  return el(
    "li",
    {},
    el("h2", {}, el("a", { href: play }, env.name)),
    el("p", {}, env.description || ""),
    el("p", { class: "meta" }, `${env.mode} mode · tools: ${env.tools.join(", ")} · ${env.live_episodes} live episodes of ${env.capacity}`),
    el("p", { class: "meta" }, "MCP endpoint: ", el("code", {}, env.url)),
  );
}

start().catch((error) => {
  const box = document.getElementById("error");
  box.textContent = `Error: ${error.message}`;
  box.hidden = false;
});
