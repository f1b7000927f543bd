"""Recording: the server records every path a step takes; a client records with the model's turns."""

from __future__ import annotations

from pathlib import Path

import anyio

from openenv_mcp.client import EnvClient, VectorEnvClient
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import CodeAction, ToolCallAction
from openenv_mcp.trajectories import Recording, read_trajectory
from openenv_mcp_adapters.model_output import from_chat_choice
from openenv_mcp_echo import EchoEnvironment


def echo(message: str, call_id: str | None = None) -> ToolCallAction:
    return ToolCallAction(tool_name="echo", parameters={"message": message}, tool_call_id=call_id)


async def test_a_recording_server_writes_every_step_of_every_episode(tmp_path: Path) -> None:
    server = EnvServer(EchoEnvironment)
    server.registry.recording = Recording(tmp_path)
    with anyio.fail_after(20):
        async with EnvClient(server) as client:
            await client.reset(seed=3, options={"max_steps": 3})
            await client.step(echo("hello", "call-1"))  # an inner tool's MCP call
            await client.step(CodeAction(code="1"))  # through `step`: echo takes no code, an error
            await client.step(echo("bye"))
        async with VectorEnvClient(server, 2, batched=True) as vector:
            await vector.reset_all(seeds=[1, 2])
            await vector.step_all([echo("a"), echo("bb")])  # step_batch
    trajectories = server.registry.recording.trajectories()
    assert len(trajectories) == 3
    first = next(t for t in trajectories if t.start.seed == 3)
    assert first.start.options == {"max_steps": 3} and "echo" in first.start.observation
    hello, code, bye = first.steps
    # an MCP tools/call carries no call id: the server sees none (a client's recording keeps it)
    assert (hello.action["tool_name"], hello.tool_call_id, hello.observation) == ("echo", None, "hello")
    assert hello.reward == 0.5 and not hello.terminated and hello.seconds >= 0
    assert code.action == {"type": "code", "code": "1"} and code.error_kind == "action_failed"
    assert bye.truncated and first.ended == "truncated"
    batched = sorted((t.start.seed, t.steps[0].observation) for t in trajectories if t.start.seed != 3)
    assert batched == [(1, "a"), (2, "bb")]


async def test_a_client_records_with_the_models_turn_tokens_and_logprobs() -> None:
    recording = Recording()
    choice = {
        "message": {
            "role": "assistant",
            "content": "Saying hi.",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "echo", "arguments": '{"message": "hi"}'},
                }
            ],
        },
        "logprobs": {"content": [{"token": "hi", "logprob": -0.25}, {"token": "!", "logprob": -1.0}]},
        "token_ids": [101, 102],
    }
    with anyio.fail_after(20):
        async with EnvClient(EnvServer(EchoEnvironment), recording=recording) as client:
            await client.reset()  # no seed: the recording asks the server which it drew
            output = from_chat_choice(choice, client.tools())
            client.record_model([output.message], output.token_ids, output.logprobs)
            await client.step(output.actions[0])
            await client.step("no action in this text")  # a parse error is a step too
    (trajectory,) = recording.trajectories()
    assert trajectory.start.recorded_by == "client" and trajectory.start.env == "echo"
    assert isinstance(trajectory.start.seed, int)
    said, garbled = trajectory.steps
    assert said.token_ids == [101, 102] and said.logprobs == [-0.25, -1.0] and said.tool_call_id == "c1"
    assert said.messages is not None and said.messages[0]["content"] == "Saying hi."
    assert garbled.action["type"] == "parse_error" and garbled.token_ids is None


async def test_a_long_episode_spills_to_disk() -> None:
    recording = Recording(memory_steps=3)
    server = EnvServer(EchoEnvironment)
    server.registry.recording = recording
    with anyio.fail_after(20):
        async with EnvClient(server) as client:
            await client.reset(seed=0)
            for index in range(10):
                await client.step(echo(f"m{index}"))
            recorder = recording.recorders[0]
            assert recorder.path is not None and recorder.path.exists()
            assert not recorder._lines, "nothing kept in memory past the spill"  # pyright: ignore[reportPrivateUsage]
            assert [s.observation for s in read_trajectory(recorder.path).steps] == [
                f"m{i}" for i in range(10)
            ]
    recorder.path.unlink()
