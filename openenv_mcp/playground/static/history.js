// The step history: each step's action, observation (text and structured content), reward,
// ending, error kind and time, and the cumulative reward drawn as a small SVG chart.

import { el, svg } from "./dom.js";

/** One step as the page keeps it (and as the trajectory download writes it). */
export function stepRecord(step, action, result, ms) {
  const meta = result._meta || {};
  const stepMeta = meta["openenv-mcp/step"] || {};
  const data = result.structuredContent;
  // A `step` call answers the step's fields in its structured content; an inner tool in _meta.
  const viaStep = action.type === "code";
  const source = viaStep ? data || {} : stepMeta;
  return {
    step,
    action,
    text: viaStep && data && typeof data.text === "string" ? data.text : contentText(result),
    structured: viaStep ? data?.observation ?? null : data ?? null,
    reward: typeof source.reward === "number" ? source.reward : null,
    terminated: Boolean(source.terminated),
    truncated: Boolean(source.truncated),
    error_kind: meta["openenv-mcp/error"]?.kind ?? (viaStep ? data?.error_kind ?? null : null) ?? (result.isError ? "error" : null),
    ms: Math.round(ms * 10) / 10,
  };
}

export function contentText(result) {
  return (result.content || [])
    .filter((part) => part.type === "text")
    .map((part) => part.text)
    .join("\n");
}

function describeAction(action) {
  if (action.type === "code") return "code";
  return `${action.tool_name}(${JSON.stringify(action.parameters)})`;
}

/** The history list's entry for `record`; `showReward` is false in production. */
export function entry(record, showReward) {
  const facts = [el("span", { class: "time" }, `${record.ms} ms`)];
  if (showReward && record.reward !== null) facts.push(el("span", { class: "reward" }, `reward ${record.reward}`));
  if (record.terminated) facts.push(el("span", { class: "flag" }, "terminated"));
  if (record.truncated) facts.push(el("span", { class: "flag" }, "truncated"));
  if (record.error_kind) facts.push(el("span", { class: "error-kind" }, `error: ${record.error_kind}`));
  const action = record.action.type === "code" ? el("pre", { class: "code" }, record.action.code) : null;
  const structured =
    record.structured === null || record.structured === undefined
      ? null
      : el("details", {}, el("summary", {}, "Structured content"), el("pre", {}, JSON.stringify(record.structured, null, 2)));
  return el(
    "li",
    { class: record.error_kind ? "step failed" : "step", "data-step": record.step },
    el("div", { class: "head" }, el("strong", {}, `#${record.step} `), el("code", {}, describeAction(record.action)), ...facts),
    action,
    el("pre", { class: "observation" }, record.text),
    structured,
  );
}

/** The cumulative reward after each step as a line chart; `rewards` are the steps' rewards. */
export function rewardChart(rewards) {
  const width = 320;
  const height = 90;
  const pad = 8;
  const totals = [0];
  for (const reward of rewards) totals.push(totals[totals.length - 1] + (reward || 0));
  const low = Math.min(...totals);
  const high = Math.max(...totals);
  const span = high - low || 1;
  const x = (i) => pad + (i * (width - 2 * pad)) / Math.max(totals.length - 1, 1);
  const y = (v) => height - pad - ((v - low) * (height - 2 * pad)) / span;
  const points = totals.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const last = totals[totals.length - 1];
  const label = `Cumulative reward: ${round(last)} after ${rewards.length} steps (from ${round(low)} to ${round(high)})`;
  return svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, class: "chart" },
    svg("title", {}, label),
    svg("line", { x1: pad, x2: width - pad, y1: y(0), y2: y(0), class: "axis" }),
    svg("polyline", { points, class: "line" }),
    svg("text", { x: pad + 2, y: 12, class: "total" }, `total ${round(last)}`),
  );
}

function round(value) {
  return Math.round(value * 1000) / 1000;
}
