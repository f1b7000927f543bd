"""Run the side-by-side benchmark suite: one command, tables printed, JSON and plots saved.

    uv run python -m benchmarks                 # everything (about 10 minutes on 2 cores)
    uv run python -m benchmarks --quick         # a smoke run of every path
    uv run python -m benchmarks --scenarios sweep memory --no-peer

The first run installs OpenEnv 0.10.0 into its own virtual environment (it pins mcp<2).
Results go to results/<UTC time>/: results.json, summary.md, sweep.png, latency.png.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

import anyio

from benchmarks.machine import machine_info
from benchmarks.peers.openenv import OPENENV_VERSION, PeerError, raise_fd_limit
from benchmarks.plots import plot
from benchmarks.report import markdown
from benchmarks.suite import SCENARIOS, Config, run_suite


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run of every path")
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--no-peer", action="store_true", help="leave OpenEnv out (no venv is installed)")
    parser.add_argument("--out", type=Path, default=None, help="results folder (default results/<UTC time>)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    peer = not args.no_peer
    config = (
        Config.quick(args.scenarios, peer=peer) if args.quick else Config(scenarios=args.scenarios, peer=peer)
    )
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    out: Path = args.out or Path("results") / stamp
    out.mkdir(parents=True, exist_ok=True)
    raise_fd_limit()
    machine = machine_info()
    try:
        results = anyio.run(run_suite, config).as_json()
    except PeerError as exc:
        print(
            f"error: the OpenEnv peer: {exc}\n(rerun with --no-peer to measure without it)", file=sys.stderr
        )
        return 2
    results["machine"] = machine
    results["machine"]["load_average_after"] = machine_info()["load_average"]
    results["openenv"] = OPENENV_VERSION if peer else "not run"
    results["config"] = {"quick": args.quick, **{k: v for k, v in vars(config).items() if k != "scenarios"}}
    (out / "results.json").write_text(json.dumps(results, indent=2, default=list))
    summary = markdown(results)
    (out / "summary.md").write_text(summary)
    print(summary)
    try:
        written = plot(results, out)
    except ImportError:
        print("no plots: matplotlib is missing (install the `plot` extra)", file=sys.stderr)
    else:
        print("plots: " + (", ".join(str(path) for path in written) or "none for these scenarios"))
    print(f"results: {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
