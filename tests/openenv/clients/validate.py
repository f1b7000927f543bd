"""`openenv validate` (its own CLI command, in one process) over running URLs and environment folders.

argv[1]: a JSON list of targets (URLs or folders); prints ``{target: {"exit_code", "report"}}``.
"""

import json
import sys

from openenv.cli.__main__ import app
from typer.testing import CliRunner


def main() -> None:
    runner = CliRunner()
    report = {}
    for target in json.loads(sys.argv[1]):
        args = ["validate", "--url", target] if target.startswith("http") else ["validate", target]
        result = runner.invoke(app, [*args, "--json"])
        try:
            parsed = json.loads(result.stdout)
        except ValueError:
            parsed = {"unreadable": result.stdout[-2000:]}
        report[target] = {"exit_code": result.exit_code, "report": parsed}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
