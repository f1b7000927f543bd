"""Prompts (a briefing, each task's statement) and completion, in both eras and both views."""

from __future__ import annotations

from typing import Literal

import anyio
import pytest
from mcp import MCPError
from mcp.client.client import ConnectMode
from mcp.types import INVALID_PARAMS, PromptReference, ResourceTemplateReference, TextContent
from pydantic import BaseModel, ConfigDict

from openenv_mcp.environment import Environment, tool
from openenv_mcp.sandbox import sandbox_processes
from openenv_mcp.server import EnvServer, Mode
from openenv_mcp.testing import structured
from openenv_mcp_connect_four import ConnectFourEnvironment
from openenv_mcp_python import PythonEnvironment
from openenv_mcp_python.tasks import task_ids
from openenv_mcp_terminal import TASKS as TERMINAL_TASKS
from openenv_mcp_terminal import TerminalEnvironment
from openenv_mcp_wordle import WordleEnvironment
from tests.conftest import ERAS, connect

TASKS = {"add": "Add two numbers", "sort": "Sort a list", "search": "Find an item"}


class QuizOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task: Literal["add", "sort", "search"] | None = None
    hard: bool = False


class Quiz(Environment):
    """A quiz whose statement depends on the task and the seed; its answer stays hidden."""

    name = "quiz"
    description = "Answer the question."
    options_model = QuizOptions

    async def on_reset(self, options: QuizOptions) -> str:
        self.task = options.task or self.rng.choice(sorted(TASKS))
        self.number = self.rng.randint(1000, 9999)
        self.answer = f"secret-{self.number}"
        return f"Task {self.task} #{self.number}{' (hard)' if options.hard else ''}: what is the answer?"

    @classmethod
    def tasks(cls) -> dict[str, str]:
        return TASKS

    @tool
    def answer_with(self, text: str) -> str:
        """Answer.

        Args:
            text: The answer.
        """
        return "right" if text == self.answer else "wrong"


def _text(content: object) -> str:
    assert isinstance(content, TextContent)
    return content.text


@pytest.mark.parametrize("era", ERAS)
async def test_the_prompts_are_the_briefing_and_one_per_task(era: ConnectMode) -> None:
    with anyio.fail_after(30):
        async with connect(EnvServer(Quiz), era) as client:
            listed = (await client.list_prompts()).prompts
    assert [p.name for p in listed] == ["briefing", "task_add", "task_sort", "task_search"]
    assert all(p.description for p in listed)
    briefing = listed[0]
    assert [a.name for a in briefing.arguments or []] == ["seed", "max_steps", "task", "hard"]
    assert [a.name for a in listed[1].arguments or []] == ["seed"]
    assert "Sort a list" in (listed[2].description or "")


@pytest.mark.parametrize("era", ERAS)
async def test_a_briefing_is_the_first_observation_of_that_seed_and_says_how_to_play_it(
    era: ConnectMode,
) -> None:
    server = EnvServer(Quiz)
    with anyio.fail_after(30):
        async with connect(server, era) as client:
            got = await client.get_prompt("briefing", {"seed": "7", "hard": "true"})
            reset = await client.call_tool("reset", {"seed": 7, "options": {"hard": True}})
    first = structured(reset)["observation"]
    [message] = got.messages
    assert message.role == "user"
    text = _text(message.content)
    assert text.startswith(f"{first}\n\n")
    assert 'call reset with {"seed": 7, "options": {"hard": true}}' in text
    assert "secret" not in text
    assert server.registry.live == 1  # the prompt opened no episode: only reset did


@pytest.mark.parametrize("era", ERAS)
async def test_a_task_prompt_states_that_task_and_draws_a_seed_it_names(era: ConnectMode) -> None:
    with anyio.fail_after(30):
        async with connect(EnvServer(Quiz), era) as client:
            got = await client.get_prompt("task_sort")
            text = _text(got.messages[0].content)
            assert text.startswith("Task sort #")
            seed = int(text.split('"seed": ')[1].split(",")[0])
            again = await client.get_prompt("task_sort", {"seed": str(seed)})
    assert _text(again.messages[0].content) == text
    assert '"options": {"task": "sort"}' in text


@pytest.mark.parametrize("era", ERAS)
async def test_without_control_a_prompt_names_only_the_tools_the_caller_sees(era: ConnectMode) -> None:
    with anyio.fail_after(30):
        async with connect(EnvServer(WordleEnvironment, mode=Mode.PRODUCTION), era) as client:
            got = await client.get_prompt("briefing", {"seed": "3", "max_guesses": "4"})
    text = _text(got.messages[0].content)
    assert "in 4 guesses" in text and 'call open_episode with {"seed": 3' in text
    for hidden in ("reset", "step", "state", "reward"):
        assert hidden not in text


@pytest.mark.parametrize(
    ("name", "arguments", "problem"),
    [
        ("nothing_here", {}, "unknown prompt"),
        ("briefing", {"colour": "red"}, "unknown prompt arguments"),
        ("briefing", {"seed": "seven"}, "bad prompt argument seed"),
        ("briefing", {"seed": "-1"}, "the seed must be"),
        ("briefing", {"hard": "maybe"}, "hard must be true or false"),
        ("briefing", {"task": "fly"}, "task must be one of add, sort, search"),
        ("briefing", {"max_steps": "0"}, "max_steps"),
    ],
)
async def test_a_bad_prompt_request_is_invalid_params(
    name: str, arguments: dict[str, str], problem: str
) -> None:
    with anyio.fail_after(30):
        async with connect(EnvServer(Quiz), "legacy") as client:
            with pytest.raises(MCPError) as raised:
                await client.get_prompt(name, arguments)
    assert raised.value.error.code == INVALID_PARAMS
    assert problem in raised.value.error.message


@pytest.mark.sandbox
async def test_a_codeact_briefing_starts_no_sandbox() -> None:
    server = EnvServer(PythonEnvironment, warm_pool=0)
    before = set(sandbox_processes())
    with anyio.fail_after(60):
        async with connect(server, "2026-07-28") as client:
            got = await client.get_prompt("briefing", {"seed": "0"})
            assert server.sandbox_provider is not None and server.sandbox_provider.handed_out == 0
            reset = await client.call_tool("reset", {"seed": 0})
            observation = structured(reset)["observation"]
            assert _text(got.messages[0].content).startswith(
                f"Task {observation['task']}: {observation['title']}"
            )
            await client.call_tool("close", {"episode_id": structured(reset)["episode_id"]})
    assert set(sandbox_processes()) - before == set()


@pytest.mark.parametrize("era", ERAS)
async def test_completion_offers_task_ids_and_enum_choices(era: ConnectMode) -> None:
    briefing = PromptReference(name="briefing")
    with anyio.fail_after(30):
        async with connect(EnvServer(Quiz), era) as client:
            tasks = (await client.complete(briefing, {"name": "task", "value": "s"})).completion
            every = (await client.complete(briefing, {"name": "task", "value": ""})).completion
            hard = (await client.complete(briefing, {"name": "hard", "value": "T"})).completion
            seed = (await client.complete(briefing, {"name": "seed", "value": "1"})).completion
            unknown = (
                await client.complete(PromptReference(name="nope"), {"name": "x", "value": ""})
            ).completion
            template = ResourceTemplateReference(uri="openenv://quiz/episodes/{episode_id}/transcript")
            handles = (await client.complete(template, {"name": "episode_id", "value": ""})).completion
        async with connect(EnvServer(ConnectFourEnvironment), era) as client:
            opponents = (await client.complete(briefing, {"name": "opponent", "value": ""})).completion
    assert tasks.values == ["sort", "search"] and tasks.total == 2 and not tasks.has_more
    assert every.values == ["add", "sort", "search"]
    assert hard.values == ["true"]
    assert seed.values == unknown.values == handles.values == []
    assert opponents.values == ["random", "greedy", "minimax"]


@pytest.mark.parametrize("era", ERAS)
async def test_completion_never_offers_an_episode_handle(era: ConnectMode) -> None:
    server = EnvServer(Quiz)
    with anyio.fail_after(30):
        async with connect(server, era) as client:
            episode_id = structured(await client.call_tool("reset", {"seed": 1}))["episode_id"]
            template = ResourceTemplateReference(uri="openenv://quiz/episodes/{episode_id}/transcript")
            found = await client.complete(template, {"name": "episode_id", "value": episode_id[:2]})
    assert found.completion.values == []


@pytest.mark.sandbox
@pytest.mark.parametrize("era", ERAS)
async def test_python_and_terminal_offer_a_prompt_and_a_completion_per_task(era: ConnectMode) -> None:
    briefing = PromptReference(name="briefing")
    with anyio.fail_after(60):
        async with connect(EnvServer(PythonEnvironment, warm_pool=0), era) as client:
            python = [p.name for p in (await client.list_prompts()).prompts]
            two_sum = _text((await client.get_prompt("task_two_sum")).messages[0].content)
            completed = (await client.complete(briefing, {"name": "task", "value": "t"})).completion
        server = EnvServer(TerminalEnvironment, warm_pool=0)
        async with connect(server, era) as client:
            terminal = [p.name for p in (await client.list_prompts()).prompts]
            prompt = _text((await client.get_prompt("task_create_file", {"seed": "5"})).messages[0].content)
            reset = await client.call_tool("reset", {"seed": 5, "options": {"task": "create_file"}})
            await client.call_tool("close", {"episode_id": structured(reset)["episode_id"]})
    assert python == ["briefing", *(f"task_{task}" for task in task_ids())]
    assert two_sum.startswith("Task two_sum: Two sum")
    assert completed.values == [task for task in task_ids() if task.startswith("t")]
    assert terminal == ["briefing", *(f"task_{task}" for task in TERMINAL_TASKS)]
    statement = structured(reset)["observation"]["statement"]
    assert statement in prompt and '"options": {"task": "create_file"}' in prompt
