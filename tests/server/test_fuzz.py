"""Fuzzing every installed environment's tools: 10,000 generated calls, and the server keeps serving.

Hypothesis builds calls from each tool's own input schema and then breaks them: unknown tools
and handles, missing and extra keys, wrong types (None, bools where numbers go), huge strings
and deeply nested values, odd unicode, NaN and infinities. They go through the SDK's in-memory
client, in both modes and both protocol eras, because bad input is the one thing an agent is
sure to send. Properties: `call_tool` never raises (no protocol error), every error result
carries a stable kind and a message, and a good call still succeeds after each example.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import anyio
import mcp
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp.client.client import ConnectMode
from mcp.types import CallToolResult, TextContent

from openenv_mcp import discovery
from openenv_mcp.errors import ENVIRONMENT_FAILED, error_kinds
from openenv_mcp.server import EnvServer, Mode
from openenv_mcp.spec.wire import META_ERROR
from openenv_mcp_echo import EchoEnvironment

CALLS_PER_EXAMPLE = 10
LIVE = "\x00the-live-episode\x00"
"""Stands for the example's live episode id in generated arguments; bound when the call is made."""
STABLE_KINDS = frozenset(error_kinds()) - {ENVIRONMENT_FAILED}
"""The kinds a bad call may answer; `environment_failed` would be an environment's own crash."""


MARKS: dict[str, list[pytest.MarkDecorator]] = {
    "python": [pytest.mark.sandbox],
    "terminal": [pytest.mark.sandbox],
    "mcp_proxy": [pytest.mark.subprocess],
}
ERAS: list[ConnectMode] = ["legacy", "2026-07-28"]
EVERY_WAY = [(mode, era) for mode in Mode for era in ERAS]
WAYS: dict[str, tuple[int, list[tuple[Mode, ConnectMode]]]] = {
    "echo": (72, EVERY_WAY),
    "connect_four": (72, EVERY_WAY),
    "wordle": (72, EVERY_WAY),
    "python": (16, EVERY_WAY),
    "terminal": (16, EVERY_WAY),
    "mcp_proxy": (4, [(Mode.TRAINING, "legacy"), (Mode.PRODUCTION, "2026-07-28")]),
}
"""Examples per (mode, era), and the ways each environment is served; every example makes
`CALLS_PER_EXAMPLE` calls: 10 x (3 x 4 x 72 + 2 x 4 x 16 + 2 x 4) = 10,000 calls in all. The
sandboxed environments start a sandbox per episode, and the proxy a child server per episode
(most of a second to start and stop): they get fewer."""
CASES = [
    pytest.param((env, mode, era, examples), id=f"{env}-{mode.value}-{era}", marks=MARKS.get(env, []))
    for env, (examples, ways) in WAYS.items()
    for mode, era in ways
]


# --- values: plausible ones from a schema, and wild ones -------------------------------------------

WORDS = [
    "",
    "x",
    "hello",
    "crane",
    "CRANE",
    "zzzzz",
    "1+1",
    "print('hi')",
    "ls -la",
    "echo hi",
    ".",
    "..",
    "/",
    "../../etc/passwd",
    "/workspace/solution.py",
    "solution.py",
    "a\x00b",
    "\u202e\u0645\U0001f600",
    " " * 3,
]


def _nested(depth: int) -> Any:
    """Lists and objects nested `depth` deep (the SDK's client serializes at most about 250 levels)."""
    value: Any = "bottom"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


# NaN and the infinities travel as null: the SDK's client serializes every request, in memory too.
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63, max_value=2**200)
    | st.floats()
    | st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e308])
    | st.text(max_size=30)
    | st.sampled_from(WORDS)
)
HUGE = (
    st.tuples(st.sampled_from(["x", "é", "\U0001f600", "ab\n"]), st.integers(10_000, 300_000)).map(
        lambda pair: pair[0] * pair[1]
    )
    | st.integers(1, 240).map(_nested)
    | st.integers(1_000, 50_000).map(lambda n: list(range(n)))
    | st.integers(1_000, 20_000).map(lambda n: {f"key{i}": i for i in range(n)})
)
WILD: st.SearchStrategy[Any] = (
    st.recursive(
        LEAVES,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    )
    | HUGE
)
EPISODE_IDS = st.one_of(
    st.just(LIVE), st.just(LIVE), st.just(LIVE), st.sampled_from(["forged", "", None]), WILD
)


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return defs[ref.rsplit("/", 1)[-1]]
    return schema


def plausible(
    schema: dict[str, Any], defs: dict[str, Any], actions: st.SearchStrategy[Any], depth: int = 0
) -> st.SearchStrategy[Any]:
    """Values the schema allows, mostly (its bounds are a hint, not a promise)."""
    schema = _resolve(schema, defs)
    if depth > 4:
        return LEAVES
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        return st.one_of([plausible(s, defs, actions, depth + 1) for s in alternatives])
    kind = schema.get("type")
    if kind == "string":
        return st.sampled_from(WORDS) | st.text(max_size=40)
    if kind == "integer":
        low, high = schema.get("minimum", -3), schema.get("maximum", 12)
        return st.integers(int(low) - 1, int(high) + 1)
    if kind == "number":
        return st.floats(schema.get("minimum", -10.0) - 1, schema.get("maximum", 10.0) + 1)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(plausible(schema.get("items", {}), defs, actions, depth + 1), max_size=3)
    if kind == "object" or "properties" in schema:
        return arguments(schema, defs, actions, depth + 1)
    return WILD


@st.composite
def arguments(
    draw: st.DrawFn,
    schema: dict[str, Any],
    defs: dict[str, Any],
    actions: st.SearchStrategy[Any],
    depth: int = 0,
) -> dict[str, Any]:
    """An argument object for `schema`: plausible, or (three times in ten) broken.

    A broken one has wild values, missing required keys, extra keys or a bad episode id; a
    plausible one reaches the environment's own code, which is where odd values get interesting.
    """
    broken = draw(st.sampled_from([False] * 7 + [True] * 3))
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    found: dict[str, Any] = {}
    for name, sub in properties.items():
        choice = draw(st.sampled_from(["plausible"] * 3 + ["wild", "omit"])) if broken else "plausible"
        if name not in required and draw(st.sampled_from([False] * 3 + [True])):
            choice = "omit"
        if choice == "omit" and (name not in required or draw(st.booleans())):
            continue
        if name == "episode_id":
            found[name] = draw(EPISODE_IDS if broken else st.just(LIVE))
        elif choice == "wild":
            found[name] = draw(WILD)
        elif name == "action":
            found[name] = draw(actions)
        else:
            found[name] = draw(plausible(sub, defs, actions, depth))
    if broken and draw(st.booleans()):
        found.update(draw(st.dictionaries(st.text(max_size=10), WILD, min_size=1, max_size=2)))
    return found


@dataclass(frozen=True)
class Call:
    name: str
    arguments: dict[str, Any]


def actions_for(inner: dict[str, dict[str, Any]]) -> st.SearchStrategy[Any]:
    """`step` actions: tool calls of the inner tools (their parameters fuzzed in turn), code, and junk."""
    no_nested_actions: st.SearchStrategy[Any] = WILD

    def of(name: str) -> st.SearchStrategy[Any]:
        schema = inner[name]
        built = arguments(schema, schema.get("$defs", {}), no_nested_actions)
        return built.map(lambda args: {"type": "tool_call", "tool_name": name, "parameters": args})

    calls = st.sampled_from(sorted(inner)).flatmap(of)
    odd = st.fixed_dictionaries(
        {"type": st.sampled_from(["tool_call", "code", "list_tools", "dance"]) | WILD},
        optional={"tool_name": st.text(max_size=20) | WILD, "parameters": WILD, "code": WILD},
    )
    code = st.fixed_dictionaries(
        {"type": st.just("code"), "code": st.sampled_from(WORDS) | st.text(max_size=60)}
    )
    return st.one_of(calls, calls, code, odd)


def calls_for(tools: dict[str, dict[str, Any]], inner: dict[str, dict[str, Any]]) -> st.SearchStrategy[Call]:
    """Calls of the listed tools (each from its own schema), unknown tools, and junk arguments.

    `inner` holds the environment's own tool schemas (without `episode_id`), for `step` actions.
    """
    listed = sorted(tools)
    actions = actions_for(inner)

    def of(name: str) -> st.SearchStrategy[Call]:
        schema = tools[name]
        return st.builds(Call, st.just(name), arguments(schema, schema.get("$defs", {}), actions))

    known = st.sampled_from(listed).flatmap(of)
    unknown = st.builds(
        Call,
        st.sampled_from(["", "reset ", "RESET", "step_batch_", "../echo", "\x00", "\U0001f642"])
        | st.text(max_size=20),
        st.dictionaries(st.text(max_size=10), WILD, max_size=3),
    )
    junk = st.builds(Call, st.sampled_from(listed), st.dictionaries(st.text(max_size=10), WILD, max_size=4))
    return st.one_of(known, known, known, known, known, known, known, known, unknown, junk)


# --- the served environment, held open in a portal for all of a case's examples ----------------------


def text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def kind_of(result: CallToolResult) -> object:
    """The error's kind, from `_meta` (where every error result carries it, a failed step's too)."""
    entry: Any = (result.meta or {}).get(META_ERROR)
    return cast("dict[str, Any]", entry).get("kind") if isinstance(entry, dict) else None


def bind(value: Any, episode_id: str) -> Any:
    """`value` with every `LIVE` placeholder replaced by the live episode's id (huge values are left)."""
    if isinstance(value, str):
        return episode_id if value == LIVE else value
    if isinstance(value, dict):
        mapping = cast("dict[str, Any]", value)
        if len(mapping) < 100:
            bound: dict[str, Any] = {k: bind(v, episode_id) for k, v in mapping.items()}
            return bound
    if isinstance(value, list):
        items = cast("list[Any]", value)
        if len(items) < 100:
            listed: list[Any] = [bind(v, episode_id) for v in items]
            return listed
    return cast("Any", value)


def check(call: Call, result: CallToolResult) -> None:
    """What every answer must be: an error has a stable kind and a message; batch entries too."""
    if result.is_error:
        kind = kind_of(result)
        assert kind in STABLE_KINDS, f"{call.name}: error kind {kind!r}: {text(result)[:2000]}"
        assert text(result).strip(), f"{call.name}: an error without a message"
    if call.name == "step_batch" and not result.is_error:
        assert result.structured_content is not None
        for entry in result.structured_content["results"]:
            if entry.get("error") is not None:
                assert entry["error_kind"] in STABLE_KINDS, entry


@dataclass
class Target:
    """One environment served in one mode, reached in memory in one era, for every example."""

    env_name: str
    server: EnvServer
    client: mcp.Client
    portal: BlockingPortal
    examples: int
    made: int = 0
    """Calls made so far."""

    @property
    def tools(self) -> dict[str, dict[str, Any]]:
        """Every listed tool's input schema."""
        return {tool.name: tool.input_schema for tool in self.server.tools}

    @property
    def inner(self) -> dict[str, dict[str, Any]]:
        """The environment's own tools' input schemas, as a `step` action's parameters take them."""
        return {name: _without_handle(d.input_schema) for name, d in self.server.inner.items()}

    async def good_call(self) -> None:
        """The environment's own first example action, in a fresh episode: it must still succeed."""
        fresh, _ = await self.server.registry.create(seed=1)
        examples: list[Any] = list(getattr(fresh.env, "example_actions", list)())
        assert examples, f"{self.env_name} has no example_actions() to make a good call with"
        good = examples[0]
        result = await self.client.call_tool(good.tool_name, {**good.parameters, "episode_id": fresh.id})
        assert not result.is_error, text(result)

    def run(self, calls: list[Call]) -> None:
        self.portal.call(self._run, calls)

    async def _run(self, calls: list[Call]) -> None:
        registry = self.server.registry
        try:
            with anyio.fail_after(120):
                episode, _ = await registry.create(seed=0)
                for call in calls:
                    if not registry.is_live(episode.id) or episode.env.terminated:
                        episode, _ = await registry.create(seed=0)
                    result = await self.client.call_tool(call.name, bind(call.arguments, episode.id))
                    self.made += 1
                    check(call, result)
                await self.good_call()
        finally:
            with anyio.fail_after(60, shield=True):
                await registry.close_all()


async def _hold(client: mcp.Client, stop: anyio.Event, *, task_status: anyio.abc.TaskStatus[None]) -> None:
    with anyio.fail_after(600):
        async with client:
            task_status.started()
            await stop.wait()


@pytest.fixture(scope="module")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    env_name, mode, era, examples = cast("tuple[str, Mode, ConnectMode, int]", request.param)
    server = EnvServer(discovery.load(env_name), mode=mode, warm_pool=1)
    client = mcp.Client(server.server, mode=era, read_timeout_seconds=60)
    with start_blocking_portal() as portal:
        stop = portal.call(anyio.Event)
        held, _ = portal.start_task(_hold, client, stop)
        yield Target(env_name, server, client, portal, examples)
        portal.call(stop.set)
        held.result(timeout=60)
    assert server.registry.live == 0


@pytest.mark.timeout(300)
@pytest.mark.parametrize("target", CASES, indirect=True)
def test_generated_calls_answer_results_with_stable_kinds(target: Target) -> None:
    tools = target.tools

    @settings(
        max_examples=target.examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(
        st.lists(
            calls_for(tools, target.inner),
            min_size=CALLS_PER_EXAMPLE,
            max_size=CALLS_PER_EXAMPLE,
        )
    )
    def examples(calls: list[Call]) -> None:
        target.run(calls)

    examples()
    assert target.made >= target.examples * CALLS_PER_EXAMPLE


@pytest.mark.parametrize("era", ERAS)
async def test_a_failed_step_carries_its_kind_in_meta(era: ConnectMode) -> None:
    with anyio.fail_after(10):
        async with mcp.Client(EnvServer(EchoEnvironment).server, mode=era, read_timeout_seconds=10) as client:
            reset = await client.call_tool("reset", {})
            assert reset.structured_content is not None
            action: dict[str, Any] = {"type": "tool_call", "tool_name": "shout", "parameters": {}}
            step = await client.call_tool(
                "step", {"episode_id": reset.structured_content["episode_id"], "action": action}
            )
    assert step.is_error
    assert (step.meta or {}).get(META_ERROR) == {"kind": "unknown_tool"}


def _without_handle(schema: dict[str, Any]) -> dict[str, Any]:
    """A served inner tool's schema as declared: without the `episode_id` the server adds."""
    properties = {k: v for k, v in schema.get("properties", {}).items() if k != "episode_id"}
    return {**schema, "properties": properties}
