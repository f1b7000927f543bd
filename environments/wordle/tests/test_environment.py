"""The Wordle environment: guesses, rewards, endings, options and seeding."""

from __future__ import annotations

import pytest

from openenv_mcp import StepResult, ToolCallAction
from openenv_mcp.conformance import check_environment
from openenv_mcp.errors import InvalidOptionsError
from openenv_mcp_wordle import GuessResult, Keyboard, WordleEnvironment


async def guess(env: WordleEnvironment, word: str) -> StepResult:
    return await env.step(ToolCallAction(tool_name="guess", parameters={"word": word}))


async def game(word: str = "metal", **options: object) -> WordleEnvironment:
    env = WordleEnvironment()
    await env.reset(seed=0, options={"word": word, **options})
    return env


async def test_wordle_conforms() -> None:
    await check_environment(WordleEnvironment)


async def test_a_valid_guess_returns_feedback_and_the_board() -> None:
    env = await game("metal")
    result = await guess(env, "Crane ")
    assert isinstance(result.observation, GuessResult)
    assert result.observation.to_text() == "C R A N E\n. . Y . Y\n\n5 guesses left."
    assert result.reward == pytest.approx(0.1)  # A and E found: 2 x 0.05
    second = (await guess(env, "slate")).observation
    assert isinstance(second, GuessResult)
    assert second.to_text().splitlines()[:4] == ["C R A N E", ". . Y . Y", "S L A T E", ". Y Y Y Y"]
    assert env.state().extra["guesses"] == ["crane", "slate"]


@pytest.mark.parametrize(
    ("word", "message"),
    [
        ("cr4ne", "'cr4ne' is not a word: a guess must contain only the letters a-z"),
        ("", "'' is not a word"),
        ("cranes", "'cranes' has 6 letters; a guess must have exactly 5"),
        ("xyzzy", "'xyzzy' is not in the word list"),
    ],
)
async def test_an_invalid_guess_is_an_error_that_uses_no_guess(word: str, message: str) -> None:
    env = await game()
    result = await guess(env, word)
    assert result.error is not None and result.error.startswith(message)
    assert result.error.endswith("no guess was used")
    assert (result.reward, result.terminated) == (0.0, False)
    assert env.state().extra["guesses_left"] == 6
    assert env.step_count == 1


async def test_hard_mode_refuses_guesses_that_ignore_hints() -> None:
    env = await game("cream", hard_mode=True)
    await guess(env, "crane")
    refused = await guess(env, "bread")
    assert refused.error == "hard mode: the 1st letter must be C; no guess was used"
    assert (await guess(env, "craft")).error == "hard mode: the guess must contain E; no guess was used"
    assert (await guess(env, "crate")).error is None
    assert env.state().extra == {
        "guesses": ["crane", "crate"],
        "guesses_left": 4,
        "max_guesses": 6,
        "solved": False,
        "hard_mode": True,
    }


async def test_easy_mode_accepts_any_listed_word() -> None:
    env = await game("cream")
    await guess(env, "crane")
    assert (await guess(env, "bread")).error is None


async def test_solving_terminates_with_the_reward() -> None:
    env = await game("metal")
    await guess(env, "crane")
    result = await guess(env, "metal")
    # All five places (0.5) and M, T, L (0.15) are new; then 1.0 + 0.1 x 4 guesses left.
    assert result.reward == pytest.approx(0.5 + 0.15 + 1.0 + 0.4)
    assert result.terminated and not result.truncated
    assert result.info["end_reason"] == "solved in 2 guesses"
    assert isinstance(result.observation, GuessResult)
    assert result.observation.solved and result.observation.secret == "metal"
    assert result.observation.to_text().endswith("Solved in 2 guesses!")
    assert env.state().extra["solved"] and env.state().extra["secret"] == "metal"
    assert (await guess(env, "metal")).error is not None


async def test_a_first_guess_win_earns_the_most() -> None:
    result = await guess(await game("metal"), "metal")
    assert result.reward == pytest.approx(0.5 + 0.25 + 1.0 + 0.5)


async def test_losing_ends_the_game_and_reveals_the_secret() -> None:
    env = await game("metal", max_guesses=2)
    first = await guess(env, "crane")
    assert "secret" not in env.state().extra and not first.terminated
    result = await guess(env, "slate")
    assert result.terminated
    assert result.reward == pytest.approx(0.1)  # L and T found; losing adds nothing
    assert result.info["end_reason"] == "out of guesses; the word was metal"
    assert isinstance(result.observation, GuessResult)
    assert result.observation.secret == "metal" and not result.observation.solved
    assert result.observation.to_text().endswith("Out of guesses. The word was METAL.")
    assert env.state().extra["secret"] == "metal"


async def test_the_secret_stays_hidden_while_playing() -> None:
    env = await game("metal")
    result = await guess(env, "crane")
    assert isinstance(result.observation, GuessResult) and result.observation.secret is None
    assert "metal" not in str(env.state())


async def test_letters_shows_the_keyboard_without_using_a_guess() -> None:
    env = await game("metal")
    await guess(env, "crane")
    result = await env.step(ToolCallAction(tool_name="letters"))
    assert isinstance(result.observation, Keyboard)
    assert result.observation.yellow == ["a", "e"]
    assert result.observation.to_text().splitlines()[:3] == ["green:   -", "yellow:  A E", "absent:  C N R"]
    assert result.reward == 0.0
    assert env.state().extra["guesses_left"] == 5


async def test_a_seed_picks_the_same_secret() -> None:
    secrets: list[str] = []
    for _ in range(2):
        env = WordleEnvironment()
        await env.reset(seed=42)
        secrets.append(env.secret)
    assert secrets[0] == secrets[1]
    others = set[str]()
    for seed in range(20):
        env = WordleEnvironment()
        await env.reset(seed=seed)
        others.add(env.secret)
    assert len(others) > 1


async def test_reset_starts_a_fresh_game() -> None:
    env = await game("metal")
    await guess(env, "metal")
    await env.reset(options={"word": "crane"})
    assert env.state().extra["guesses"] == [] and not env.terminated
    assert (await guess(env, "crane")).terminated


@pytest.mark.parametrize(
    "options",
    [{"word": "xyzzy"}, {"word": "abide"}, {"max_guesses": 0}, {"max_guesses": 11}, {"colour": "blue"}],
)
async def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(InvalidOptionsError):
        await WordleEnvironment().reset(options=options)


async def test_the_fixed_word_is_case_insensitive() -> None:
    env = await game("METAL")
    assert env.secret == "metal"


async def test_max_steps_truncates_an_episode_of_invalid_guesses() -> None:
    env = await game("metal", max_steps=3)
    results = [await guess(env, "zzzzz") for _ in range(3)]
    assert [r.truncated for r in results] == [False, False, True]
    assert env.state().extra["guesses_left"] == 6
