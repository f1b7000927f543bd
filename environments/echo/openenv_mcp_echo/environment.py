"""Echo: the agent sends messages and hears them back.

The reward of a step is the message's length scaled by `reward_scale`; the episode is
truncated after `max_steps` steps (a `reset` option). A seeded reset picks the same
greeting every time.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from openenv_mcp import Environment, ToolCallAction, tool

__all__ = ["EchoEnvironment", "EchoOptions"]

GREETINGS = ("Hello!", "Hi there.", "Greetings.", "Say something.", "Ready when you are.")


class EchoOptions(BaseModel):
    """Options of an echo episode."""

    model_config = ConfigDict(extra="forbid")

    reward_scale: Annotated[float, Field(ge=0, description="Reward per character of the message.")] = 0.1


class EchoEnvironment(Environment):
    """Echo every message back; reward the message's length."""

    name = "echo"
    description = "Echoes each message back. Reward: message length times reward_scale."
    options_model = EchoOptions
    default_max_steps = 10

    def __init__(self) -> None:
        super().__init__()
        self.reward_scale = EchoOptions().reward_scale
        self.greeting = GREETINGS[0]
        self.messages: list[str] = []

    async def on_reset(self, options: EchoOptions) -> str:
        self.reward_scale = options.reward_scale
        self.greeting = self.rng.choice(GREETINGS)
        self.messages = []
        return f"{self.greeting} Every message you send with `echo` comes back to you."

    @tool(read_only=True, idempotent=True)
    def echo(self, message: str) -> str:
        """Echo a message back.

        Args:
            message: The text to send back.
        """
        self.messages.append(message)
        self.add_reward(len(message) * self.reward_scale)
        return message

    def example_actions(self) -> list[ToolCallAction]:
        """A short, seed-dependent episode for the conformance check."""
        words = ["alpha", "beta", "gamma", "delta"]
        pick = self.rng.choice
        return [ToolCallAction(tool_name="echo", parameters={"message": pick(words)}) for _ in range(3)]

    def state_extra(self) -> dict[str, object]:
        return {"greeting": self.greeting, "messages": len(self.messages), "max_steps": self.max_steps}
