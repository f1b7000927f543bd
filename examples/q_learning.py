"""Tabular Q-learning on Connect Four against the random opponent, over MCP.

    uv run python -m examples.q_learning [--games 3000] [--envs 64] [--every 100] [--plot q_learning.png]

The environment runs in a real `openenv-mcp serve connect_four` process on 127.0.0.1;
the learner talks to it only through `VectorEnvClient` (Streamable HTTP, `step_batch`).
The observation is the board (`structured["board"]`); raw boards almost never repeat
past the opening, so the table is keyed by a small abstraction of it: which columns would
complete four for X now, and which for O (a threat to block), plus the columns still open.
The actions are the legal columns; the reward is +1 / 0 / -1 at the end of a game.

Learning plays epsilon-greedy games (epsilon from 0.5 down to 0 over the first 80 % of
them) with a step size of `1 / visits ** 0.6` per (state, column), never below 0.02.
Every `--every` training games the greedy policy plays the same seeded evaluation games
without learning; their mean return is what the progress bar shows and the plot draws
(each checkpoint, and their moving average). At the end the greedy policy and a uniformly
random policy each play another set of seeded games.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio

from examples.progress import show
from openenv_mcp.client import AutoresetMode, RemoteStepResult, VectorEnvClient
from openenv_mcp.spec import ToolCallAction
from openenv_mcp.testing.serving import served

__all__ = ["Checkpoint", "Learner", "Report", "evaluate", "main", "moving_average", "run", "train"]

OPTIONS: dict[str, Any] = {"opponent": "random", "agent_first": True}
CHECKPOINT_SEED = 20_000
"""The seeds of the games every checkpoint replays (one game per episode of the client)."""
FINAL_SEED = 10_000
"""The seeds of the final comparison's games, apart from the checkpoints'."""
WINDOW = 5
"""Checkpoints per point of the moving average."""


@dataclass
class Learner:
    """Q-values per (state, column), epsilon-greedy over the legal columns."""

    gamma: float = 0.99
    epsilon: float = 0.5
    """Exploration at the start; `train` lowers it linearly to 0 over the first 80 % of games."""
    min_alpha: float = 0.02
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    q: defaultdict[str, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    visits: defaultdict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))

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
        """One Q-learning step toward `reward + gamma * max Q(after, .)`, sized by the visits."""
        future = 0.0 if done else max((self.q[after].get(c, 0.0) for c in legal), default=0.0)
        self.visits[state, column] += 1
        alpha = max(self.min_alpha, self.visits[state, column] ** -0.6)
        old = self.q[state].get(column, 0.0)
        self.q[state][column] = old + alpha * (reward + self.gamma * future - old)


@dataclass(frozen=True)
class Checkpoint:
    """The greedy policy's mean return on the checkpoint games after `games` training games."""

    games: int
    mean_return: float


@dataclass
class Report:
    returns: list[float]
    """The return of every training game (exploring), in the order they ended."""
    checkpoints: list[Checkpoint]
    """The greedy policy's evaluations during training, the first before any."""
    learned: float
    """Mean return of the greedy policy on the final games."""
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


async def train(
    envs: VectorEnvClient, judge: VectorEnvClient, learner: Learner, games: int, seed: int, every: int
) -> tuple[list[float], list[Checkpoint]]:
    """Play until `games` games have ended, the greedy policy judged on `judge` every `every`."""
    returns: list[float] = []
    checkpoints = [Checkpoint(0, await evaluate(judge, learner, judge.num_envs, CHECKPOINT_SEED))]
    _progress(0, games, checkpoints)
    current = [_state(r) for r in await envs.reset_all(seeds=seed, options=OPTIONS)]
    totals = [0.0] * envs.num_envs
    start_epsilon = learner.epsilon
    while len(returns) < games:
        learner.epsilon = start_epsilon * max(0.0, 1 - len(returns) / (0.8 * games))
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
        while len(returns) >= checkpoints[-1].games + every or len(returns) >= games > checkpoints[-1].games:
            played = min(checkpoints[-1].games + every, games)
            score = await evaluate(judge, learner, judge.num_envs, CHECKPOINT_SEED)
            checkpoints.append(Checkpoint(played, score))
            _progress(played, games, checkpoints)
    return returns[:games], checkpoints


def _progress(done: int, games: int, checkpoints: list[Checkpoint]) -> None:
    recent = moving_average([c.mean_return for c in checkpoints])[-1]
    show(done, games, f"training games; greedy mean return {recent:+.2f} (moving average)")


async def evaluate(envs: VectorEnvClient, policy: Learner | None, games: int, seed: int) -> float:
    """Mean return over `games` seeded games: greedy `policy`, or uniformly random (None)."""
    rng = random.Random(1)
    total, played = 0.0, 0
    while played < games:
        current = [_state(r) for r in await envs.reset_all(seeds=seed + played, options=OPTIONS)]
        live = set(range(envs.num_envs))
        while live:
            columns = {
                i: policy.act(*current[i], explore=False) if policy else rng.choice(current[i][1])
                for i in live
            }
            results = await envs.step_some({i: _drop(c) for i, c in columns.items()})
            for i, result in results.items():
                total += result.reward
                if result.done:
                    live.discard(i)
                else:
                    current[i] = _state(result)
        played += envs.num_envs
    return total / played


def moving_average(values: Sequence[float], window: int = WINDOW) -> list[float]:
    """The mean of each value and the up to `window - 1` before it.

    >>> moving_average([0.0, 1.0, 2.0, 3.0], window=2)
    [0.0, 0.5, 1.5, 2.5]
    """
    return [sum(values[max(0, i - window + 1) : i + 1]) / min(i + 1, window) for i in range(len(values))]


async def run(
    games: int = 3000, envs: int = 64, eval_games: int = 256, seed: int = 0, every: int = 100
) -> Report:
    """Serve connect_four, train, and compare the learned policy with a random one."""
    learner = Learner(rng=random.Random(seed))
    async with (
        served("connect_four") as url,
        VectorEnvClient(url, envs, autoreset_mode=AutoresetMode.NEXT_STEP) as vector,
        VectorEnvClient(url, envs, autoreset_mode=AutoresetMode.DISABLED) as judge,
    ):
        returns, checkpoints = await train(vector, judge, learner, games, seed, every)
        learned = await evaluate(judge, learner, eval_games, FINAL_SEED)
        baseline = await evaluate(judge, None, eval_games, FINAL_SEED)
    return Report(returns, checkpoints, learned, baseline, len(learner.q))


def plot(
    returns: list[float], path: str, checkpoints: Sequence[Checkpoint] = (), random: float | None = None
) -> None:
    """Save the greedy evaluations (each, and their moving average) as a PNG.

    The training games' own returns (exploring, a moving average of 200) are drawn thin and
    grey behind them, in the same unit, and `random`, a random policy's mean return, dashed.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes_ = plt.subplots(figsize=(7, 4.8))
    axes: Any = axes_
    window = min(200, max(len(returns), 1))
    training = moving_average(returns, window)[window - 1 :]
    axes.plot(
        range(window, len(returns) + 1),
        training,
        color="0.6",
        linewidth=1,
        label=f"training games, exploring (mean of {window})",
    )
    games, scores = [c.games for c in checkpoints], [c.mean_return for c in checkpoints]
    if checkpoints:
        axes.plot(
            games, scores, "o", color="tab:blue", alpha=0.35, markersize=4, label="greedy, each checkpoint"
        )
        axes.plot(
            games, moving_average(scores), color="tab:blue", linewidth=2.5, label=f"greedy, mean of {WINDOW}"
        )
    if random is not None:
        axes.axhline(random, color="tab:red", linestyle="--", linewidth=1, label="random policy")
    axes.set_xlabel("training games")
    axes.set_ylabel("mean return (+1 win, 0 draw, -1 loss)")
    axes.set_title("Q-learning on connect_four vs random, over MCP")
    lowest = min(0.0, *training, *scores, *([] if random is None else [random]))
    axes.set_ylim(lowest - 0.05, 1.05)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, fontsize="small")
    figure.tight_layout()
    figure.savefig(path)  # pyright: ignore[reportUnknownMemberType]
    plt.close(figure)


def curve(returns: list[float], buckets: int = 10) -> str:
    """The reward curve as text: mean return per tenth of training."""
    size = max(len(returns) // buckets, 1)
    means = [sum(returns[i : i + size]) / len(returns[i : i + size]) for i in range(0, len(returns), size)]
    return "  ".join(f"{m:+.2f}" for m in means[:buckets])


def _table(checkpoints: list[Checkpoint], columns: int = 11) -> str:
    """Some checkpoints, evenly spread, with the moving average at each."""
    smooth = moving_average([c.mean_return for c in checkpoints])
    picks = sorted({round(k * (len(checkpoints) - 1) / (columns - 1)) for k in range(columns)})
    games = " ".join(f"{checkpoints[k].games:>6}" for k in picks)
    scores = " ".join(f"{smooth[k]:>+6.2f}" for k in picks)
    return f"  after games {games}\n  mean return {scores}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--games", type=int, default=3000)
    parser.add_argument("--envs", type=int, default=64)
    parser.add_argument("--every", type=int, default=100, help="training games between greedy evaluations")
    parser.add_argument("--eval-games", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="q_learning.png")
    args = parser.parse_args(argv)
    report = anyio.run(run, args.games, args.envs, args.eval_games, args.seed, args.every)
    print(f"greedy play on {args.envs} seeded games per checkpoint (moving average of {WINDOW}):")
    print(_table(report.checkpoints))
    print(f"training games (exploring), mean return per tenth: {curve(report.returns)}")
    print(
        f"on {args.eval_games} other seeded games: learned policy {report.learned:+.3f}, "
        f"random policy {report.random:+.3f} ({report.states} states)"
    )
    plot(report.returns, args.plot, report.checkpoints, report.random)
    print(f"saved {args.plot}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
