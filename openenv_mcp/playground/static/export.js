// The episode so far as a runnable Python script (EnvClient in training, plain MCP in
// production), and as JSON Lines: a reset line, then one line per step.

/** A JSON value as a Python literal (JSON strings are valid Python strings). */
export function py(value) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : `float(${JSON.stringify(String(value))})`;
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(py).join(", ")}]`;
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${py(v)}`).join(", ")}}`;
}

// Calls that did not act in this episode (a mistyped handle): nothing to replay.
const NOT_THIS_EPISODE = new Set(["unknown_episode", "episode_closed", "no_episode", "at_capacity"]);

function replayed(steps) {
  return steps.filter((s) => !NOT_THIS_EPISODE.has(s.error_kind));
}

/** A script that plays the same episode again (the same seed, options and actions). */
export function pythonSnippet({ url, episode, steps, production, withToken }) {
  return production ? mcpSnippet(url, episode, steps, withToken) : envClientSnippet(url, episode, steps, withToken);
}

function resetArguments(episode) {
  const parts = [];
  if (episode.seed !== null && episode.seed !== undefined) parts.push(`seed=${py(episode.seed)}`);
  if (episode.options && Object.keys(episode.options).length) parts.push(`options=${py(episode.options)}`);
  return parts.join(", ");
}

function envClientSnippet(url, episode, steps, withToken) {
  const lines = [
    '"""An episode played in the openenv-mcp playground, replayed with EnvClient."""',
    "",
    "import asyncio",
    ...(withToken ? ["import os"] : []),
    "",
    "from openenv_mcp.client import EnvClient",
    "",
    `URL = ${py(url)}`,
    "",
    "",
    "async def main() -> None:",
    `    async with EnvClient(URL${withToken ? ', auth=os.environ["OPENENV_MCP_TOKEN"]' : ""}) as env:`,
    `        result = await env.reset(${resetArguments(episode)})`,
    "        print(result.observation)",
  ];
  for (const step of replayed(steps)) {
    lines.push(`        result = await env.step(${py(step.action)})`);
    lines.push("        print(result.observation, result.reward, result.terminated, result.truncated)");
  }
  lines.push("", "", "asyncio.run(main())", "");
  return lines.join("\n");
}

function mcpSnippet(url, episode, steps, withToken) {
  const open = {};
  if (episode.seed !== null && episode.seed !== undefined) open.seed = episode.seed;
  if (episode.options && Object.keys(episode.options).length) open.options = episode.options;
  const connect = withToken
    ? [
        '    headers = {"Authorization": f"Bearer {os.environ[\'OPENENV_MCP_TOKEN\']}"}',
        "    transport = streamable_http_client(URL, http_client=httpx2.AsyncClient(headers=headers))",
        '    async with mcp.Client(transport, mode="2026-07-28") as client:',
      ]
    : ['    async with mcp.Client(URL, mode="2026-07-28") as client:'];
  const lines = [
    '"""An episode played in the openenv-mcp playground (a production server), replayed over MCP."""',
    "",
    "import asyncio",
    ...(withToken ? ["import os", "", "import httpx2"] : [""]),
    "import mcp",
    ...(withToken ? ["from mcp.client.streamable_http import streamable_http_client"] : []),
    "",
    `URL = ${py(url)}`,
    "",
    "",
    "async def main() -> None:",
    ...connect,
    `        opened = await client.call_tool("open_episode", ${py(open)})`,
    '        episode_id = (opened.structured_content or {})["episode_id"]',
  ];
  for (const step of replayed(steps)) {
    if (step.action.type !== "tool_call") continue;
    const args = `{**${py(step.action.parameters)}, "episode_id": episode_id}`;
    lines.push(`        result = await client.call_tool(${py(step.action.tool_name)}, ${args})`);
    lines.push('        print("\\n".join(part.text for part in result.content if part.type == "text"))');
  }
  lines.push('        await client.call_tool("close_episode", {"episode_id": episode_id})', "", "", "asyncio.run(main())", "");
  return lines.join("\n");
}

/**
 * The episode as a trajectory (openenv_mcp.trajectories' JSON Lines, as a client records it):
 * a `start` line, then a `step` line a step; `openenv-mcp replay FILE` replays it. Production
 * leaves the reward out.
 */
export function trajectoryLines({ env, episode, steps, production }) {
  const head = {
    type: "start",
    env,
    episode_id: episode.id,
    seed: episode.seed ?? null,
    options: episode.options || {},
    observation: episode.observation,
    structured: episode.structured ?? null,
    info: {},
    recorded_by: "client",
  };
  const body = steps.map((step) => {
    const line = {
      type: "step",
      step: step.step,
      action: step.action,
      tool_call_id: null,
      observation: step.text,
      structured: step.structured,
      reward: step.reward ?? 0,
      terminated: step.terminated,
      truncated: step.truncated,
      error_kind: step.error_kind,
      seconds: step.ms / 1000,
      info: {},
    };
    if (production) delete line.reward;
    return line;
  });
  return [head, ...body].map((line) => JSON.stringify(line)).join("\n") + "\n";
}
