// The playground of one environment: reset, the inner tools' forms, code, the history, the
// picture of the episode, its state, and the episode as Python or JSON Lines. Everything goes
// through MCP (mcp.js) to /envs/<name>/mcp, the endpoint every other client uses.

import { el, token, askForToken } from "./dom.js";
import { pythonSnippet, trajectoryLines } from "./export.js";
import { propertiesOf } from "./forms.js";
import { contentText, entry, rewardChart, stepRecord } from "./history.js";
import { AuthError, McpClient } from "./mcp.js";

const $ = (id) => document.getElementById(id);
const envName = decodeURIComponent(location.pathname.split("/")[2] || "");
const endpoint = `${location.origin}/envs/${encodeURIComponent(envName)}/mcp`;
const client = new McpClient(endpoint, token);
const ROLE = "openenv-mcp/role";
// Errors of the call itself, not of an action in this episode: they mark no step.
const NOT_A_STEP = new Set(["unknown_episode", "episode_closed", "no_episode", "at_capacity", "unknown_tool"]);

const page = {
  production: false,
  tools: {},
  viewTemplate: null,
  episode: { id: "", seed: null, options: {}, observation: "", structured: null },
  steps: [],
};

function showError(error) {
  const box = $("error");
  const text = typeof error === "string" ? error : error.message || String(error);
  box.replaceChildren(el("strong", {}, "Error: "), text);
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
}

function say(text) {
  $("announce").textContent = text;
}

// Calls run one after another, in the order asked: a second Enter while a call runs waits its turn
// (disabling the buttons instead would drop a keyboard user's submission without a word).
let queue = Promise.resolve();
let pending = 0;

function serially(job) {
  pending += 1;
  document.body.setAttribute("data-busy", "");
  const run = queue.then(job).finally(() => {
    pending -= 1;
    if (pending === 0) document.body.removeAttribute("data-busy");
  });
  queue = run.catch(() => undefined);
  return run;
}

async function start() {
  document.title = `${envName}: openenv-mcp playground`;
  $("env-name").textContent = envName;
  try {
    const listed = await client.listTools();
    const tools = Object.fromEntries(listed.tools.map((tool) => [tool.name, tool]));
    page.tools = tools;
    page.production = !tools.reset && Boolean(tools.open_episode);
    const templates = await client.listTemplates();
    const uris = templates.resourceTemplates.map((t) => t.uriTemplate);
    page.viewTemplate = uris.find((u) => u.endsWith("/view")) || uris.find((u) => u.endsWith("/board")) || null;
    build(listed.tools);
  } catch (error) {
    if (error instanceof AuthError) {
      askForToken($("auth"), `This server needs a token: ${error.message}`, start);
      return;
    }
    showError(error);
  }
}

function build(tools) {
  $("mode").textContent = page.production ? "production mode" : "training mode";
  document.body.classList.toggle("production", page.production);
  for (const id of ["chart-box", "state-panel"]) $(id).hidden = page.production;
  buildReset(page.production ? page.tools.open_episode : page.tools.reset);
  const inner = tools.filter((tool) => (tool._meta || {})[ROLE] === "inner" || !(tool._meta || {})[ROLE]);
  $("tools").replaceChildren(...inner.map(toolForm));
  const step = page.tools.step;
  $("code-panel").hidden = page.production || !step || !JSON.stringify(step.inputSchema).includes('"const":"code"');
  $("play").hidden = false;
}

function buildReset(tool) {
  const form = $("reset-form");
  const fields = propertiesOf(tool.inputSchema, tool.inputSchema, ["episode_id"]);
  $("reset-fields").replaceChildren(...fields.nodes);
  $("reset-button").textContent = page.production ? "Open episode" : "Reset";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    let args;
    try {
      args = fields.read();
    } catch (error) {
      showError(error);
      return;
    }
    reset(args);
  });
}

// Below 2**53, as the server's own seeds: the episode can be replayed exactly from its script.
function randomSeed() {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  return (high & 0x1fffff) * 2 ** 32 + low;
}

function reset(given) {
  return serially(() => resetNow(given));
}

async function resetNow(given) {
  const args = { ...given, seed: given.seed ?? randomSeed() };
  clearError();
  try {
    const result = page.production ? await openEpisode(args) : await resetEpisode(args);
    if (result.isError) {
      showError(contentText(result));
      return;
    }
    const data = result.structuredContent || {};
    const briefing = contentText(result).replace(/^episode_id: \S+\n\n/, "");
    page.episode = {
      id: data.episode_id,
      seed: args.seed,
      options: args.options || {},
      observation: briefing,
      structured: data.observation ?? null,
    };
    page.steps = [];
    $("episode-id").value = data.episode_id;
    $("briefing").textContent = briefing;
    renderHistory();
    await refresh();
    say(`New episode ${data.episode_id}, seed ${args.seed}`);
  } catch (error) {
    fail(error);
  }
}

// In place where the page has an episode (no episode left behind); a fresh one if that is gone.
async function resetEpisode(args) {
  if (page.episode.id) {
    const again = await client.callTool("reset", { ...args, episode_id: page.episode.id });
    if (!again.isError) return again;
  }
  return client.callTool("reset", args);
}

async function openEpisode(args) {
  if (page.episode.id) await client.callTool("close_episode", { episode_id: page.episode.id }).catch(() => null);
  return client.callTool("open_episode", args);
}

function toolForm(tool) {
  const fields = propertiesOf(tool.inputSchema, tool.inputSchema, ["episode_id"]);
  const jsonId = `json-${tool.name}`;
  const area = el("textarea", { id: jsonId, rows: 4, spellcheck: "false", class: "json" });
  const details = el(
    "details",
    { class: "as-json" },
    el("summary", {}, "Arguments as JSON"),
    el("label", { for: jsonId }, `${tool.name} arguments (JSON)`),
    area,
  );
  details.addEventListener("toggle", () => {
    if (!details.open || area.value.trim()) return;
    try {
      area.value = JSON.stringify(fields.read(), null, 2);
    } catch {
      area.value = "{}";
    }
  });
  const headingId = `tool-${tool.name}`;
  const form = el(
    "form",
    { class: "tool", "data-tool": tool.name, "aria-labelledby": headingId, novalidate: true },
    el("h3", { id: headingId }, tool.name),
    tool.description ? el("p", { class: "description" }, tool.description) : null,
    ...fields.nodes,
    details,
    el("button", { type: "submit" }, `Call ${tool.name}`),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    let args;
    try {
      args = details.open ? parseJson(area.value) : fields.read();
    } catch (error) {
      showError(error);
      return;
    }
    callTool(tool.name, args);
  });
  return form;
}

function parseJson(text) {
  let value;
  try {
    value = JSON.parse(text || "{}");
  } catch (error) {
    throw new Error(`the arguments are not JSON: ${error.message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("the arguments must be a JSON object");
  return value;
}

// The episode id is read when the call runs (after any reset queued before it).
function callTool(name, args) {
  const { episode_id: _ignored, ...parameters } = args;
  return act({ type: "tool_call", tool_name: name, parameters }, () => {
    const handle = $("episode-id").value.trim();
    return client.callTool(name, handle ? { ...parameters, episode_id: handle } : parameters);
  });
}

function runCode(code) {
  const action = { type: "code", code };
  return act(action, () => client.callTool("step", { episode_id: $("episode-id").value.trim(), action }));
}

function act(action, call) {
  return serially(() => actNow(action, call));
}

async function actNow(action, call) {
  clearError();
  const started = performance.now();
  try {
    const result = await call();
    const record = stepRecord(page.steps.length + 1, action, result, performance.now() - started);
    page.steps.push(record);
    renderHistory();
    if (record.error_kind) showError(`${record.error_kind}: ${record.text.replace(/^Error: /, "")}`);
    if (!NOT_A_STEP.has(record.error_kind)) await refresh();
    say(`Step ${record.step}: ${record.error_kind ? `error ${record.error_kind}` : "done"}`);
  } catch (error) {
    fail(error);
  }
}

function fail(error) {
  if (error instanceof AuthError) {
    askForToken($("auth"), `The server refused the token: ${error.message}`, () => clearError());
  }
  showError(error);
}

function renderHistory() {
  const show = !page.production;
  $("history").replaceChildren(...page.steps.map((record) => entry(record, show)).reverse());
  if (show) $("chart-box").replaceChildren(rewardChart(page.steps.map((s) => s.reward)));
  const last = page.steps[page.steps.length - 1];
  const ended = last && (last.terminated || last.truncated);
  const total = page.steps.reduce((sum, s) => sum + (s.reward || 0), 0);
  const parts = [page.steps.length === 1 ? "1 step" : `${page.steps.length} steps`];
  if (show) parts.push(`total reward ${Math.round(total * 1000) / 1000}`);
  if (ended) parts.push(last.terminated ? "terminated: reset to play again" : "truncated: reset to play again");
  $("status").textContent = page.episode.id ? parts.join(" · ") : "No episode yet: reset to start one.";
  $("status").classList.toggle("ended", Boolean(ended));
}

async function refresh() {
  const id = page.episode.id;
  const jobs = [];
  if (page.viewTemplate && id) jobs.push(refreshView(page.viewTemplate.replace("{episode_id}", encodeURIComponent(id))));
  if (!page.production && id) jobs.push(refreshState(id));
  await Promise.all(jobs);
}

async function refreshView(uri) {
  try {
    const read = await client.readResource(uri);
    const [contents] = read.contents;
    $("view").replaceChildren(picture(contents));
  } catch (error) {
    $("view").replaceChildren(el("p", {}, `(no view: ${error.message})`));
  }
}

// SVG is shown as an image, where no script runs and nothing it says can reach the page.
function picture(contents) {
  if (contents.mimeType === "image/svg+xml") {
    const parsed = new DOMParser().parseFromString(contents.text, "image/svg+xml");
    const title = parsed.querySelector("title")?.textContent || `${envName} now`;
    return el("img", { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(contents.text)}`, alt: title, class: "picture" });
  }
  return el("pre", { class: "picture" }, contents.text);
}

async function refreshState(id) {
  try {
    const result = await client.callTool("state", { episode_id: id });
    const state = result.structuredContent;
    $("state").textContent = state ? JSON.stringify(state, null, 2) : contentText(result);
  } catch (error) {
    $("state").textContent = `(no state: ${error.message})`;
  }
}

function exportPython() {
  const snippet = pythonSnippet({
    url: endpoint,
    episode: page.episode,
    steps: page.steps,
    production: page.production,
    withToken: Boolean(token()),
  });
  const area = $("python-snippet");
  area.value = snippet;
  $("python-box").hidden = false;
  area.focus();
  area.select();
  const copied = navigator.clipboard?.writeText(snippet);
  if (copied) copied.then(() => say("Python copied to the clipboard"), () => say("Select the text and copy it"));
}

function downloadTrajectory() {
  const lines = trajectoryLines({ env: envName, episode: page.episode, steps: page.steps, production: page.production });
  const link = el("a", { href: URL.createObjectURL(new Blob([lines], { type: "application/jsonl" })), download: `${envName}-${page.episode.id || "episode"}.jsonl` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

$("code-form").addEventListener("submit", (event) => {
  event.preventDefault();
  runCode($("code").value);
});
$("state-refresh").addEventListener("click", () => page.episode.id && refreshState(page.episode.id));
$("copy-python").addEventListener("click", exportPython);
$("download").addEventListener("click", downloadTrajectory);
// Tab in the code editor indents rather than leaving it; Escape then Tab leaves as usual.
let escaped = false;
$("code").addEventListener("keydown", (event) => {
  if (event.key === "Escape") escaped = true;
  else if (event.key === "Tab" && !event.shiftKey && !escaped) {
    event.preventDefault();
    const area = event.target;
    area.setRangeText("    ", area.selectionStart, area.selectionEnd, "end");
  } else escaped = false;
});

start();
