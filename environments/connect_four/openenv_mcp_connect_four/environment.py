"""Connect Four: the agent plays X against a built-in opponent playing O.

Each `drop` is the agent's move and, unless the game ended, the opponent's reply. The
reward comes at the end: +1 for a win, 0 for a draw, -1 for a loss. A drop into a
full column is an error observation costing `illegal_move_penalty`; the game goes on.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from openenv_mcp import Environment, ToolCallAction, tool
from openenv_mcp.environment.views import View
from openenv_mcp.errors import ActionError
from openenv_mcp_connect_four.board import COLUMNS, Board, Piece
from openenv_mcp_connect_four.observation import AGENT, OPPONENT, BoardView, Status
from openenv_mcp_connect_four.opponents import Opponent, OpponentName, make_opponent
from openenv_mcp_connect_four.oracle import winning_line
from openenv_mcp_connect_four.picture import picture

__all__ = ["ConnectFourEnvironment", "ConnectFourOptions"]

_REWARDS: dict[Status, float] = {"won": 1.0, "lost": -1.0, "draw": 0.0}


class ConnectFourOptions(BaseModel):
    """Options of a Connect Four episode."""

    model_config = ConfigDict(extra="forbid")

    opponent: Annotated[OpponentName, Field(description="Who plays O.")] = "greedy"
    depth: Annotated[
        int, Field(ge=1, le=6, description="How many plies the minimax opponent looks ahead.")
    ] = 4
    agent_first: Annotated[bool, Field(description="Whether the agent moves first; else O opens.")] = True
    illegal_move_penalty: Annotated[
        float, Field(ge=0, description="Reward lost for a drop into a full column (the game goes on).")
    ] = 0.1


class ConnectFourEnvironment(Environment):
    """Connect Four on a 7x6 board against a random, greedy or minimax opponent."""

    name = "connect_four"
    description = (
        "Connect Four against a built-in opponent: you are X, drop pieces with `drop`. "
        "Reward at the end: +1 win, 0 draw, -1 loss; a full column costs illegal_move_penalty."
    )
    options_model = ConnectFourOptions
    default_max_steps = 100
    invalid_action_penalty = -ConnectFourOptions().illegal_move_penalty

    def __init__(self) -> None:
        super().__init__()
        self.options = ConnectFourOptions()
        self.board = Board()
        self.opponent: Opponent = make_opponent(self.options.opponent)
        self._oracle_line: list[int] = []

    @classmethod
    def task_options(cls) -> dict[str, dict[str, Any]]:
        """The built-in tasks: each opponent (minimax at depths 2 and 4), moving first or second."""
        opponents: dict[str, dict[str, Any]] = {
            "random": {"opponent": "random"},
            "greedy": {"opponent": "greedy"},
            "minimax2": {"opponent": "minimax", "depth": 2},
            "minimax4": {"opponent": "minimax", "depth": 4},
        }
        return {
            f"{name}-{order}": {**options, "agent_first": order == "first"}
            for name, options in opponents.items()
            for order in ("first", "second")
        }

    async def on_reset(self, options: ConnectFourOptions) -> BoardView:
        self.options, self.board, self._oracle_line = options, Board(), []
        self.opponent = make_opponent(options.opponent, options.depth)
        self.invalid_action_penalty = -options.illegal_move_penalty
        opening = None if options.agent_first else self._reply()
        return self._view(agent_move=None, opponent_move=opening)

    @tool
    def drop(self, column: Annotated[int, Field(ge=0, le=COLUMNS - 1)]) -> BoardView:
        """Drop your piece (X) into a column; the opponent (O) then replies unless the game is over.

        Args:
            column: The column to drop into, 0 (left) to 6 (right).
        """
        if not self.board.can_drop(column):
            legal = ", ".join(map(str, self.board.legal_moves()))
            raise ActionError(f"column {column} is full; drop into one of the legal columns: {legal}")
        self.board.drop(column, AGENT)
        reply = None if self.board.over else self._reply()
        view = self._view(agent_move=column, opponent_move=reply)
        if view.status != "playing":
            self.add_reward(_REWARDS[view.status])
            self.end_episode(reason=f"game over: {view.status}")
        return view

    @tool(read_only=True, idempotent=True)
    def view_board(self) -> BoardView:
        """Show the board, whose turn it is and the legal columns, without moving."""
        return self._view(agent_move=self._last_move(AGENT), opponent_move=self._last_move(OPPONENT))

    def board_view(self) -> BoardView:
        """The board now, as `view_board` shows it (the episode's board resource)."""
        return self._view(agent_move=self._last_move(AGENT), opponent_move=self._last_move(OPPONENT))

    def render_view(self) -> View:
        """The board as a picture: red X, yellow O (the episode's view resource)."""
        return picture(self.board_view())

    def example_actions(self) -> list[ToolCallAction]:
        """Three seed-dependent drops into different columns (never full, never a finished game)."""
        columns = self.rng.sample(range(COLUMNS), 3)
        return [ToolCallAction(tool_name="drop", parameters={"column": c}) for c in columns]

    # -- for the validator (`openenv-mcp validate`): privileged, never shown to the agent ----------

    floor_margin: ClassVar[float] = 0.5
    """How far below the oracle's total a no-op or random policy must stay (openenv.yaml's)."""

    def oracle_action(self) -> ToolCallAction | None:
        """The oracle's next drop: a line that wins against this episode's opponent; None: over."""
        if self.board.over:
            return None
        if not self._oracle_line:
            self._oracle_line = winning_line(self.board, self.rng, self.opponent, AGENT) or []
        if not self._oracle_line:
            return None  # no playout wins from here
        return ToolCallAction(tool_name="drop", parameters={"column": self._oracle_line.pop(0)})

    def reward_range(self) -> tuple[float, float]:
        """An episode's total reward: a loss after every allowed illegal move, up to a win."""
        steps = self.max_steps or 0
        return (round(-1.0 + self.invalid_action_penalty * max(steps - 1, 0), 6), 1.0)

    def state_extra(self) -> dict[str, Any]:
        return {
            "board": self.board.rows(),
            "moves": list(self.board.moves),
            "agent_first": self.options.agent_first,
            "opponent": self.options.opponent,
            "depth": self.options.depth,
            "winner": self.board.winner,
            "status": self._status(),
        }

    def _reply(self) -> int:
        column = self.opponent.choose(self.board, OPPONENT, self.rng)
        self.board.drop(column, OPPONENT)
        return column

    def _last_move(self, piece: Piece) -> int | None:
        first = 0 if (piece == AGENT) == self.options.agent_first else 1
        own = self.board.moves[first::2]
        return own[-1] if own else None

    def _status(self) -> Status:
        winner: Piece | None = self.board.winner
        if winner is not None:
            return "won" if winner == AGENT else "lost"
        return "draw" if self.board.full else "playing"

    def _view(self, *, agent_move: int | None, opponent_move: int | None) -> BoardView:
        return BoardView(
            board=self.board.rows(),
            status=self._status(),
            to_move=AGENT if not self.board.over else None,
            agent_move=agent_move,
            opponent_move=opponent_move,
            legal_columns=self.board.legal_moves(),
            moves=len(self.board.moves),
        )
