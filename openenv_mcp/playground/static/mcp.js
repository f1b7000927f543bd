// A small MCP client for the browser: the stateless 2026-07-28 protocol over Streamable HTTP.
// Every request is one POST carrying the protocol envelope in params._meta and the headers the
// server checks against the body (MCP-Protocol-Version, Mcp-Method, Mcp-Name); the answer is
// JSON or a server-sent event stream whose last message is the response. No session, no
// initialize: what spans calls travels in the episode_id handle, as for every modern client.

export const PROTOCOL_VERSION = "2026-07-28";
const CLIENT_INFO = { name: "openenv-mcp-playground", version: "0.1.0" };
// The methods whose name or URI the server also reads from the Mcp-Name header.
const NAMED = { "tools/call": "name", "prompts/get": "name", "resources/read": "uri" };
// How long a request may go unanswered before the page says so and goes on: a tool call may run
// as long as the environment lets it (a command, a test run); a listing or a read is quick.
const DEADLINE_MS = { "tools/call": 300_000 };
const READ_DEADLINE_MS = 30_000;
// Requests that change nothing on the server, sent once more where the network failed them.
const SAFE = new Set(["tools/list", "resources/templates/list", "resources/read"]);

/** A JSON-RPC error answer: the server refused the request itself (not a tool's error result). */
export class McpError extends Error {
  constructor(code, message, data) {
    super(message);
    this.name = "McpError";
    this.code = code;
    this.data = data;
  }
}

/** The server wants a bearer token (HTTP 401) or refuses the one given (403). */
export class AuthError extends Error {
  constructor(status, message) {
    super(message);
    this.name = "AuthError";
    this.status = status;
  }
}

export class McpClient {
  /** @param {string} url the environment's MCP endpoint; @param {() => string} token the bearer token, or "" */
  constructor(url, token) {
    this.url = url;
    this.token = token;
    this.nextId = 1;
  }

  async request(method, params = {}) {
    const id = this.nextId++;
    const meta = {
      "io.modelcontextprotocol/protocolVersion": PROTOCOL_VERSION,
      "io.modelcontextprotocol/clientCapabilities": {},
      "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
    };
    const body = { jsonrpc: "2.0", id, method, params: { ...params, _meta: meta } };
    const headers = {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "MCP-Protocol-Version": PROTOCOL_VERSION,
      "Mcp-Method": method,
    };
    if (NAMED[method] !== undefined) headers["Mcp-Name"] = headerValue(params[NAMED[method]]);
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    const described = NAMED[method] !== undefined ? `${method} ${params[NAMED[method]]}` : method;
    const send = () => post(this.url, { headers, body: JSON.stringify(body) }, DEADLINE_MS[method] ?? READ_DEADLINE_MS, described);
    let response;
    try {
      response = await send();
    } catch (error) {
      if (!SAFE.has(method) || !(error instanceof NetworkError)) throw error;
      response = await send();
    }
    if (response.status === 401 || response.status === 403) {
      throw new AuthError(response.status, await refusal(response));
    }
    const message = await answer(response, id);
    if (message.error) throw new McpError(message.error.code, message.error.message, message.error.data);
    return message.result;
  }

  listTools() {
    return this.request("tools/list");
  }

  callTool(name, args) {
    return this.request("tools/call", { name, arguments: args });
  }

  listTemplates() {
    return this.request("resources/templates/list");
  }

  readResource(uri) {
    return this.request("resources/read", { uri });
  }
}

/** The request never got an answer: the network failed it, or the server did not answer in time. */
export class NetworkError extends Error {
  constructor(message) {
    super(message);
    this.name = "NetworkError";
  }
}

// One POST whose answer (headers and body) must come within `deadline` ms.
async function post(url, init, deadline, described) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), deadline);
  try {
    const response = await fetch(url, { ...init, method: "POST", signal: abort.signal });
    const text = await response.text();
    return { status: response.status, ok: response.ok, headers: response.headers, text };
  } catch (error) {
    if (abort.signal.aborted) throw new NetworkError(`${described}: the server did not answer in ${deadline / 1000} s`);
    throw new NetworkError(`${described}: ${error.message || "the request failed"} (is the server still running?)`);
  } finally {
    clearTimeout(timer);
  }
}

// A header carries only visible ASCII; anything else goes base64-encoded, the SDK's way.
function headerValue(value) {
  const text = String(value ?? "");
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const bytes = new TextEncoder().encode(text);
  return `=?base64?${btoa(String.fromCharCode(...bytes))}?=`;
}

async function refusal(response) {
  const challenge = response.headers.get("WWW-Authenticate") || "";
  const reason = /error_description="([^"]*)"/.exec(challenge);
  return reason ? reason[1] : `the server answered ${response.status}: a valid token is needed`;
}

function answer(response, id) {
  const type = response.headers.get("Content-Type") || "";
  if (type.startsWith("text/event-stream")) return fromEvents(response.text, id);
  const text = response.text;
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    throw new McpError(-32700, `the server answered ${response.status} with no JSON: ${text.slice(0, 200)}`);
  }
  if (!response.ok && !message.error) throw new McpError(-32603, `the server answered ${response.status}`);
  return message;
}

// An event stream may carry notifications (progress, logs) before the response.
function fromEvents(text, id) {
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).trimStart())
      .join("\n");
    if (!data) continue;
    const message = JSON.parse(data);
    if (message.id === id && ("result" in message || "error" in message)) return message;
  }
  throw new McpError(-32603, "the server's event stream ended without an answer");
}
