"""The Gymnasium wrapper: `check_env` passes, text in and text out, over a real server."""

from __future__ import annotations

import warnings

import pytest
from gymnasium.utils.env_checker import check_env

from openenv_mcp.server import EnvServer
from openenv_mcp_adapters.gym import RemoteTextEnv
from openenv_mcp_connect_four import ConnectFourEnvironment
from openenv_mcp_echo import EchoEnvironment


@pytest.mark.parametrize("env_class", [EchoEnvironment, ConnectFourEnvironment])
def test_check_env_passes(env_class: type[EchoEnvironment] | type[ConnectFourEnvironment]) -> None:
    env = RemoteTextEnv(EnvServer(env_class), render_mode="ansi")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            # Render modes other than the one given are only testable through gymnasium.make.
            warnings.filterwarnings("ignore", message=".*not having a spec.*")
            check_env(env, skip_render_check=False)
    finally:
        env.close()


def test_an_episode_of_text() -> None:
    server = EnvServer(ConnectFourEnvironment)
    env = RemoteTextEnv(server, options={"opponent": "random"}, render_mode="ansi")
    try:
        observation, _ = env.reset(seed=1)
        assert observation in env.observation_space and "Your turn" in observation
        assert [t.name for t in env.tools] == ["drop", "view_board"]
        observation, reward, terminated, truncated, info = env.step(
            '<tool_call>{"name": "drop", "arguments": {"column": 3}}</tool_call>'
        )
        assert "Your last move: column 3" in observation and reward == 0.0
        assert not terminated and not truncated and info == {}
        _, _, _, _, info = env.step("I resign")
        assert info["parse_error"]
        observation = env.step('{"name": "drop", "arguments": {"column": 3}}')[0]
        assert env.render() == observation
    finally:
        env.close()
    assert server.registry.live == 0


def test_the_package_imports_without_gymnasium_in_its_top_level() -> None:
    import openenv_mcp_adapters

    assert "gym" not in openenv_mcp_adapters.__all__
