"""Step results are checked as the client reads them: a malformed one is an error that says what is wrong."""

from __future__ import annotations

import pytest

from openenv_mcp.client.results import ClientError, from_step_data

GOOD = {
    "reward": 0.5,
    "terminated": False,
    "truncated": True,
    "step_count": 3,
    "text": "hi",
    "observation": "hi",
}


def test_a_good_step_reads_typed() -> None:
    result = from_step_data(GOOD, "call-1")
    assert (result.reward, result.terminated, result.truncated, result.step_count) == (0.5, False, True, 3)
    assert result.observation == "hi" and result.tool_call_id == "call-1"


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        ({k: v for k, v in GOOD.items() if k != "reward"}, "reward: Field required"),
        ({**GOOD, "terminated": "yes"}, "terminated: Input should be a valid boolean"),
        ({**GOOD, "reward": "lots"}, "reward: Input should be a valid number"),
        ({**GOOD, "info": [1]}, "info: Input should be a valid dictionary"),
    ],
)
def test_a_malformed_step_is_a_client_error_naming_the_field(broken: dict[str, object], named: str) -> None:
    with pytest.raises(ClientError, match="the server's step result is malformed") as raised:
        from_step_data(broken, None)
    assert named in str(raised.value)
