"""Wordle: find the secret 5-letter word, with per-letter feedback after each guess.

Reward (shaped, per valid guess): +0.1 for each position whose letter is found for
the first time (green), +0.05 for each letter first known to be in the word (green or
yellow). Solving adds +1.0 plus 0.1 for every guess left unused. Losing adds nothing,
and an invalid guess earns nothing and uses up no guess (only a step).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from openenv_mcp import Environment, ToolCallAction, tool
from openenv_mcp.environment.views import View
from openenv_mcp.errors import ActionError
from openenv_mcp_wordle.feedback import Mark, score
from openenv_mcp_wordle.knowledge import Knowledge
from openenv_mcp_wordle.observations import GuessResult, Keyboard, Row
from openenv_mcp_wordle.picture import picture
from openenv_mcp_wordle.words import WORD_LENGTH, allowed, answers

__all__ = [
    "GREEN_REWARD",
    "LETTER_REWARD",
    "SOLVE_REWARD",
    "SPARE_GUESS_REWARD",
    "WordleEnvironment",
    "WordleOptions",
]

GREEN_REWARD = 0.1
LETTER_REWARD = 0.05
SOLVE_REWARD = 1.0
SPARE_GUESS_REWARD = 0.1


class WordleOptions(BaseModel):
    """Options of a Wordle game."""

    model_config = ConfigDict(extra="forbid")

    max_guesses: Annotated[int, Field(ge=1, le=10, description="Guesses before the game is lost.")] = 6
    hard_mode: Annotated[
        bool, Field(description="Revealed hints must be used: greens kept in place, yellows included.")
    ] = False
    word: Annotated[
        str | None, Field(description="Fix the secret (for evaluation); must be in the answer list.")
    ] = None

    @field_validator("word")
    @classmethod
    def _known_answer(cls, word: str | None) -> str | None:
        if word is None:
            return None
        word = word.strip().lower()
        if word not in answers():
            raise ValueError(f"{word!r} is not in the answer list")
        return word


class WordleEnvironment(Environment):
    """Guess a secret 5-letter word; each guess is scored green, yellow or gray per letter."""

    name = "wordle"
    description = (
        "Wordle: guess the secret 5-letter word. Each guess is scored per letter: "
        "G right place, Y elsewhere in the word, . not in it."
    )
    options_model = WordleOptions
    default_max_steps = 50

    def __init__(self) -> None:
        super().__init__()
        self.secret = ""
        self.max_guesses = WordleOptions().max_guesses
        self.hard_mode = False
        self.board: list[Row] = []
        self.knowledge = Knowledge()
        self.solved = False

    @classmethod
    def task_options(cls) -> dict[str, dict[str, Any]]:
        """The built-in tasks: the usual game and hard mode (the seed draws the word)."""
        return {"standard": {}, "hard": {"hard_mode": True}}

    async def on_reset(self, options: WordleOptions) -> str:
        self.max_guesses, self.hard_mode = options.max_guesses, options.hard_mode
        self.secret = options.word or self.rng.choice(answers())
        self.board, self.knowledge, self.solved = [], Knowledge(), False
        mode = " Hard mode: every revealed hint must be used in later guesses." if self.hard_mode else ""
        return (
            f"Guess the secret {WORD_LENGTH}-letter word in {self.max_guesses} guesses with `guess`.\n"
            "After each guess every letter is marked: G = right letter, right place; "
            "Y = in the word, elsewhere; . = not in the word.\n"
            f"`letters` shows what you know of each letter.{mode}"
        )

    @property
    def guesses_left(self) -> int:
        return self.max_guesses - len(self.board)

    @property
    def game_over(self) -> bool:
        return self.solved or self.guesses_left == 0

    @tool(read_only=False, destructive=False, idempotent=False)
    def guess(self, word: str) -> GuessResult:
        """Guess the secret word; uses up one guess if the word is valid.

        Args:
            word: A 5-letter English word (case does not matter).
        """
        word = word.strip().lower()
        if problem := self._problem(word):
            raise ActionError(f"{problem}; no guess was used")
        marks = score(self.secret, word)
        found = self.knowledge.learn(word, marks)
        self.board.append(Row(word=word, marks=list(marks)))
        self.add_reward(found.greens * GREEN_REWARD + found.letters * LETTER_REWARD)
        self.solved = all(mark is Mark.GREEN for mark in marks)
        if self.solved:
            self.add_reward(SOLVE_REWARD + SPARE_GUESS_REWARD * self.guesses_left)
            self.end_episode(reason=f"solved in {len(self.board)} guesses")
        elif self.game_over:
            self.end_episode(reason=f"out of guesses; the word was {self.secret}")
        return GuessResult(
            guess=word,
            marks=list(marks),
            board=list(self.board),
            guesses_left=self.guesses_left,
            solved=self.solved,
            game_over=self.game_over,
            secret=self.secret if self.game_over else None,
        )

    @tool(read_only=True, idempotent=True)
    def letters(self) -> Keyboard:
        """Show each letter's status so far: green (placed), yellow, absent or unknown."""
        return Keyboard.model_validate(self.knowledge.keyboard())

    def _problem(self, word: str) -> str | None:
        """What makes `word` an invalid guess, or None."""
        if not word.isascii() or not word.isalpha():
            return f"{word!r} is not a word: a guess must contain only the letters a-z"
        if len(word) != WORD_LENGTH:
            return f"{word!r} has {len(word)} letters; a guess must have exactly {WORD_LENGTH}"
        if word not in allowed():
            return f"{word!r} is not in the word list"
        return self.knowledge.violation(word) if self.hard_mode else None

    def board_view(self) -> GuessResult | str:
        """The guesses so far, scored, and how the game stands (the episode's board resource).

        The secret shows only once the game is over, as in a guess's result.
        """
        if not self.board:
            return f"No guesses yet; {self.guesses_left} guesses left."
        last = self.board[-1]
        return GuessResult(
            guess=last.word,
            marks=list(last.marks),
            board=list(self.board),
            guesses_left=self.guesses_left,
            solved=self.solved,
            game_over=self.game_over,
            secret=self.secret if self.game_over else None,
        )

    def render_view(self) -> View:
        """The coloured grid of the guesses so far (the view resource); the secret only once over."""
        view = self.board_view()
        status = view if isinstance(view, str) else view.status()
        return picture(self.board, self.max_guesses, status)

    def example_actions(self) -> list[ToolCallAction]:
        """A few seed-dependent valid guesses for the conformance check."""
        picks = [self.rng.choice(answers()) for _ in range(3)]
        actions = [ToolCallAction(tool_name="guess", parameters={"word": word}) for word in picks]
        return [*actions, ToolCallAction(tool_name="letters")]

    # -- for the validator (`openenv-mcp validate`): privileged, never shown to the agent ----------

    floor_margin: ClassVar[float] = 1.0
    """How far below the oracle's total a no-op or random policy must stay (openenv.yaml's)."""

    def oracle_action(self) -> ToolCallAction | None:
        """The oracle guesses the secret at once; None once the game is over."""
        if self.game_over:
            return None
        return ToolCallAction(tool_name="guess", parameters={"word": self.secret})

    def reward_range(self) -> tuple[float, float]:
        """An episode's total reward: nothing, up to a first-guess solve with every guess to spare."""
        best = (
            5 * GREEN_REWARD + 5 * LETTER_REWARD + SOLVE_REWARD + SPARE_GUESS_REWARD * (self.max_guesses - 1)
        )
        return (0.0, round(best, 6))

    def hidden_answers(self) -> list[str]:
        """The secret word: no observation may show it before the game is over."""
        return [self.secret]

    def state_extra(self) -> dict[str, Any]:
        extra: dict[str, Any] = {
            "guesses": [row.word for row in self.board],
            "guesses_left": self.guesses_left,
            "max_guesses": self.max_guesses,
            "solved": self.solved,
            "hard_mode": self.hard_mode,
        }
        if self.game_over:
            extra["secret"] = self.secret
        return extra
