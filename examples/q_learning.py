"""Tabular Q-learning on Connect Four against the random opponent, over MCP.

    uv run python -m examples.q_learning [--games 1200] [--envs 64] [--plot q_learning.png]

The environment runs in a real `openenv-mcp serve connect_four` process on 127.0.0.1;
the learner talks to it only through `VectorEnvClient` (Streamable HTTP, `step_batch`).
The observation is the board (`structured["board"]`); raw boards almost never repeat
past the opening, so the table is keyed by a small abstraction of it: which columns would
complete four for X now, and which for O (a threat to block), plus the columns still open.
The actions are the legal columns; the reward is +1 / 0 / -1 at the end of a game.
Afterwards the greedy policy and a uniformly random policy each play the same seeded
games, and a reward curve is saved.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import anyio

from examples.progress import show
from examples.serving import served
from openenv_mcp.client import AutoresetMode, RemoteStepResult, VectorEnvClient
from openenv_mcp.spec import ToolCallAction

__all__ = ["Learner", "Report", "evaluate", "main", "run", "train"]

OPTIONS: dict[str, Any] = {"opponent": "random", "agent_first": True}
EVAL_SEED = 10_000


@dataclass
class Learner:
    """Q-values per (board, column), epsilon-greedy over the legal columns."""

    alpha: float = 0.2
    gamma: float = 0.9
    epsilon: float = 0.3
    """Exploration at the start; it decays linearly to a tenth of it over training."""
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    q: defaultdict[str, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))

    def act(self, state: str, legal: list[int], explore: bool = True) -> int:
        if not legal:  # the game is over: the next step resets it and ignores the action
            return 0
        if explore and self.rng.random() < self.epsilon:
            return self.rng.choice(legal)
        values = self.q[state]
        best = max(values.get(c, 0.0) for c in legal)
        return self.rng.choice([c for c in legal if values.get(c, 0.0) == best])

    def update(
        self, state: str, column: int, reward: float, after: str, legal: list[int], done: bool
    ) -> None:
        """One Q-learning step toward `reward + gamma * max Q(after, .)`."""
        future = 0.0 if done else max((self.q[after].get(c, 0.0) for c in legal), default=0.0)
        old = self.q[state].get(column, 0.0)
        self.q[state][column] = old + self.alpha * (reward + self.gamma * future - old)


@dataclass
class Report:
    returns: list[float]
    """The return of every training game, in the order they ended."""
    learned: float
    """Mean return of the greedy policy on the evaluation games."""
    random: float
    """Mean return of a uniformly random policy on the same games."""
    states: int


def _state(result: RemoteStepResult) -> tuple[str, list[int]]:
    """The table key of an observation, and the legal columns."""
    view: dict[str, Any] = result.structured
    board, legal = view["board"], list(view["legal_columns"])
    wins = [c for c in legal if _completes(board, c, "X")]
    threats = [c for c in legal if _completes(board, c, "O")]
    return f"win{wins} block{threats} open{legal}", legal


def _completes(board: list[str], column: int, piece: str) -> bool:
    """Whether dropping `piece` into `column` makes four in a row (rows top first)."""
    row = max(r for r in range(len(board)) if board[r][column] == ".")
    grid = [list(line) for line in board]
    grid[row][column] = piece
    for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
        count = 1
        for sign in (1, -1):
            r, c = row + sign * dr, column + sign * dc
            while 0 <= r < len(grid) and 0 <= c < len(grid[0]) and grid[r][c] == piece:
                count, r, c = count + 1, r + sign * dr, c + sign * dc
        if count >= 4:
            return True
    return False


def _drop(column: int) -> ToolCallAction:
    return ToolCallAction(tool_name="drop", parameters={"column": column})


async def train(envs: VectorEnvClient, learner: Learner, games: int, seed: int) -> list[float]:
    """Play until `games` games have ended; return each game's return."""
    returns: list[float] = []
    current = [_state(r) for r in await envs.reset_all(seeds=seed, options=OPTIONS)]
    totals = [0.0] * envs.num_envs
    start_epsilon, shown = learner.epsilon, -1
    while len(returns) < games:
        learner.epsilon = start_epsilon * (1 - 0.9 * len(returns) / games)
        columns = [learner.act(state, legal) for state, legal in current]
        results = await envs.step_all([_drop(c) for c in columns])
        for i, result in enumerate(results):
            after = _state(result) if isinstance(result.structured, dict) else current[i]
            if not result.info.get("autoreset"):
                learner.update(current[i][0], columns[i], result.reward, after[0], after[1], result.done)
                totals[i] += result.reward
                if result.done:
                    returns.append(totals[i])
                    totals[i] = 0.0
            current[i] = after
        if 100 * len(returns) // games != shown:
            shown = 100 * len(returns) // games
            show(min(len(returns), games), games, f"games, win rate {_win_rate(returns[-200:]):.2f}")
    return returns[:games]


async def evaluate(envs: VectorEnvClient, policy: Learner | None, games: int) -> float:
    """Mean return over `games` seeded games: greedy `policy`, or uniformly random (None)."""
    rng = random.Random(1)
    total, played = 0.0, 0
    while played < games:
        current = [_state(r) for r in await envs.reset_all(seeds=EVAL_SEED + played, options=OPTIONS)]
        live = [True] * envs.num_envs
        while any(live):
            columns = [
                policy.act(s, legal, explore=False) if policy else rng.choice(legal) for s, legal in current
            ]
            results = await envs.step_all([_drop(c) for c in columns])
            for i, result in enumerate(results):
                if live[i]:
                    total += result.reward
                    live[i] = not result.done
                    current[i] = _state(result) if live[i] else current[i]
        played += envs.num_envs
    return total / played


def _win_rate(returns: list[float]) -> float:
    return sum(r > 0 for r in returns) / max(len(returns), 1)


async def run(games: int = 1200, envs: int = 64, eval_games: int = 192, seed: int = 0) -> Report:
    """Serve connect_four, train, and compare the learned policy with a random one."""
    learner = Learner(rng=random.Random(seed))
    async with served("connect_four") as url:
        async with VectorEnvClient(url, envs, autoreset_mode=AutoresetMode.NEXT_STEP) as vector:
            returns = await train(vector, learner, games, seed)
        async with VectorEnvClient(url, envs, autoreset_mode=AutoresetMode.DISABLED) as vector:
            learned = await evaluate(vector, learner, eval_games)
            baseline = await evaluate(vector, None, eval_games)
    return Report(returns, learned, baseline, len(learner.q))


def plot(returns: list[float], path: str, window: int = 100) -> None:
    """Save the moving average of the training returns as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    smooth = [sum(returns[max(0, i - window) : i]) / min(i, window) for i in range(1, len(returns) + 1)]
    figure, axes_ = plt.subplots(figsize=(7, 4))
    axes: Any = axes_
    axes.plot(smooth)
    axes.set_xlabel("game")
    axes.set_ylabel(f"mean return (last {window} games)")
    axes.set_title("Q-learning on connect_four vs random, over MCP")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)  # pyright: ignore[reportUnknownMemberType]
    plt.close(figure)


def curve(returns: list[float], buckets: int = 10) -> str:
    """The reward curve as text: mean return per tenth of training."""
    size = max(len(returns) // buckets, 1)
    means = [sum(returns[i : i + size]) / len(returns[i : i + size]) for i in range(0, len(returns), size)]
    return "  ".join(f"{m:+.2f}" for m in means[:buckets])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--games", type=int, default=1200)
    parser.add_argument("--envs", type=int, default=64)
    parser.add_argument("--eval-games", type=int, default=192)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="q_learning.png")
    args = parser.parse_args(argv)
    report = anyio.run(run, args.games, args.envs, args.eval_games, args.seed)
    print(f"reward curve (mean return per tenth): {curve(report.returns)}")
    print(
        f"learned policy {report.learned:+.3f}  random policy {report.random:+.3f}  ({report.states} states)"
    )
    plot(report.returns, args.plot)
    print(f"saved {args.plot}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
