"""``openenv-mcp eval ENV``: play a policy or a model over tasks, then a table, results.json and a PNG."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import anyio

from openenv_mcp import discovery
from openenv_mcp.client import Target
from openenv_mcp.environment import Environment
from openenv_mcp.errors import OpenEnvError
from openenv_mcp.evaluation.chat import EndpointModel
from openenv_mcp.evaluation.errors import EvaluationError
from openenv_mcp.evaluation.policies import PolicyFactory, load_policy, model_policy
from openenv_mcp.evaluation.progress import ProgressBar
from openenv_mcp.evaluation.report import CI_METHOD, plot, summary, table, write_results
from openenv_mcp.evaluation.runner import Outcome, Plan, evaluate
from openenv_mcp.rewards import ChatEndpoint
from openenv_mcp.rewards.cli import add_reward_option
from openenv_mcp.rewards.loading import load_rubric
from openenv_mcp.server import EnvServer
from openenv_mcp.tasks import Task, builtin, load

__all__ = ["add_eval_command", "run_eval"]


def add_eval_command(commands: Any) -> None:
    """Register `openenv-mcp eval` on the CLI's subparsers."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "eval", help="evaluate a policy or a model: mean reward with a CI, success rate, pass@k"
    )
    parser.add_argument("env", metavar="ENV", help="the environment (its installed name)")
    parser.add_argument("--url", help="a running server's MCP URL of ENV (default: served in this process)")
    parser.add_argument("--tasks", metavar="DATASET", help="tasks as openenv_mcp.tasks.load reads them")
    parser.add_argument("--split", help="only this split of --tasks")
    parser.add_argument("--count", type=int, help="only the first COUNT tasks")
    parser.add_argument("--policy", help="oracle (in-process only), random, or MODULE:CALLABLE")
    parser.add_argument(
        "--model-url", metavar="URL", help="an OpenAI-compatible endpoint (http://HOST:PORT/v1)"
    )
    parser.add_argument("--model", metavar="NAME", help="the model to ask at --model-url")
    parser.add_argument(
        "--format", choices=["openai", "hermes"], default="openai", help="the model's tool calls"
    )
    parser.add_argument("--system", help="the model's system prompt")
    parser.add_argument("--episodes", type=int, default=10, help="episodes of each task (default 10)")
    parser.add_argument("--concurrency", type=int, default=4, help="episodes at once (default 4)")
    parser.add_argument(
        "--max-steps", type=int, default=200, help="steps before an episode is cut (default 200)"
    )
    parser.add_argument("--seed", type=int, default=0, help="the first episode's seed of a task (default 0)")
    parser.add_argument(
        "--success-threshold",
        type=float,
        default=1.0,
        help="total reward that counts as success (default 1.0)",
    )
    parser.add_argument("--k", default="1,5,10", help="pass@k for these k, comma-separated (default 1,5,10)")
    parser.add_argument("--episode-timeout", type=float, default=300.0, help="seconds an episode may take")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="where results.json and the PNG go"
    )
    add_reward_option(parser)


def run_eval(args: argparse.Namespace) -> int:
    """0: evaluated; 1: some episodes failed with an error (counted as failed); bad input raises (2)."""
    env_class = _env_class(args.env, args.url)
    policy = _policy(args)
    plan = Plan(
        tasks=_tasks(args, env_class),
        episodes=_positive("--episodes", args.episodes),
        concurrency=_positive("--concurrency", args.concurrency),
        max_steps=_positive("--max-steps", args.max_steps),
        success_threshold=args.success_threshold,
        seed=args.seed,
        episode_timeout=args.episode_timeout,
    )
    ks = _ks(args.k)
    rubric = load_rubric(args.reward)
    target = _target(args.url, env_class)
    outcomes = anyio.run(lambda: evaluate(target, plan, policy, rubric=rubric, progress=ProgressBar()))
    result = summary(outcomes, ks)
    print(table(result))
    print(f"(CI: {CI_METHOD}; success: total reward >= {plan.success_threshold:g})")
    _print_errors(outcomes)
    config = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "func"}
    path = write_results(args.out, config, result, outcomes)
    picture = plot(args.out, outcomes, f"{args.env}: {args.policy or args.model} rewards")
    print(
        f"results: {path}"
        + (f"\nreward distribution: {picture}" if picture else " (no PNG: install the plot extra)")
    )
    return 1 if any(o.error is not None for o in outcomes) else 0


def _target(url: str | None, env_class: type[Environment] | None) -> Target:
    """The URL, else the environment served in this process (the same client path over MCP in memory)."""
    if url is not None:
        return url
    assert env_class is not None  # _env_class raised for an unknown environment without a URL
    return EnvServer(env_class)


def _env_class(name: str, url: str | None) -> type[Environment] | None:
    try:
        return discovery.load(name)
    except OpenEnvError:
        if url is None:
            raise
        return None  # a remote environment this machine does not have installed: its tasks go unchecked


def _policy(args: argparse.Namespace) -> PolicyFactory:
    if args.model_url and args.policy:
        raise EvaluationError("give --policy or --model-url, not both")
    if args.model_url:
        if not args.model:
            raise EvaluationError("--model-url needs --model NAME")
        return model_policy(
            EndpointModel(ChatEndpoint(args.model_url, args.model)), fmt=args.format, system=args.system
        )
    if args.model:
        raise EvaluationError("--model needs --model-url URL")
    if not args.policy:
        raise EvaluationError("give a --policy (oracle, random or MODULE:CALLABLE) or a --model-url")
    if args.policy == "oracle" and args.url:
        raise EvaluationError(
            "the oracle reads the environment's privileged state, so it runs in-process only: drop --url"
        )
    return load_policy(args.policy)


def _tasks(args: argparse.Namespace, env_class: type[Environment] | None) -> list[Task]:
    if args.tasks:
        taskset = load(args.tasks, env=env_class, split=args.split, count=args.count)
    elif env_class is not None and env_class.task_options():
        taskset = builtin(env_class).take(args.count) if args.count else builtin(env_class)
    else:
        return [Task("default")]
    if not len(taskset):
        raise EvaluationError(f"no tasks to evaluate in {args.tasks or 'the built-in tasks'}")
    return list(taskset.tasks)


def _positive(flag: str, value: int) -> int:
    if value < 1:
        raise EvaluationError(f"{flag} must be at least 1; got {value}")
    return value


def _ks(text: str) -> list[int]:
    try:
        ks = sorted({int(k) for k in text.split(",") if k.strip()})
    except ValueError:
        raise EvaluationError(f"--k takes whole numbers, comma-separated; got {text!r}") from None
    if not ks or ks[0] < 1:
        raise EvaluationError(f"--k takes numbers of at least 1; got {text!r}")
    return ks


def _print_errors(outcomes: list[Outcome]) -> None:
    errors = Counter(o.error for o in outcomes if o.error is not None)
    for error, count in errors.most_common(5):
        print(f"failed: {count} episode{'s' * (count != 1)}: {error}", file=sys.stderr)
