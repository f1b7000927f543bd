"""Tasks that shape files: create one, rename by a rule, sort and deduplicate a CSV column."""

from __future__ import annotations

import csv
import io
import random
import shlex
from functools import partial

from openenv_mcp.errors import ActionError
from openenv_mcp_terminal.tasks.base import CheckContext, Task, TaskInstance, Verdict, answer_file

__all__ = ["CREATE_FILE", "CSV_DEDUPE", "RENAME_FILES"]

_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim")
_SURNAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson")
_CITIES = ("Berlin", "Lagos", "Lima", "Oslo", "Osaka", "New York", "Porto", "Quito", "San Jose", "Accra")


def _generate_create(rng: random.Random) -> TaskInstance:
    name = rng.choice(_NAMES)
    path = f"greetings/{name.lower()}.txt"
    content = f"Hello, {name}!\nYour badge number is {rng.randint(1000, 9999)}.\nWelcome aboard.\n"
    shown = "".join(f"    {line}\n" for line in content.splitlines())
    return TaskInstance(
        statement=(
            f"Create the file {path} (creating its directory) with exactly these three lines, each "
            f"ending in a newline, without the indentation:\n{shown}Then call check()."
        ),
        files={"README.txt": "Greetings for new team members go in greetings/.\n"},
        verify=partial(_verify_create, path=path, content=content),
        solution=(f"mkdir -p greetings && printf %s {shlex.quote(content)} > {path}",),
    )


async def _verify_create(context: CheckContext, *, path: str, content: str) -> Verdict:
    if not context.workspace.exists(path):
        return Verdict(False, f"{path} does not exist")
    try:
        found = context.workspace.read_text(path, limit=10_000)
    except ActionError as exc:
        return Verdict(False, str(exc))
    if found == content:
        return Verdict(True, f"{path} has the right content")
    if found.rstrip("\n") == content.rstrip("\n"):
        return Verdict(False, f"{path} has the right lines but should end in exactly one newline")
    expected, got = content.splitlines(), found.splitlines()
    for number, (want, have) in enumerate(zip(expected, got, strict=False), start=1):
        if want != have:
            return Verdict(False, f"line {number} of {path} differs from the requested text")
    return Verdict(False, f"{path} has {len(got)} lines; expected {len(expected)}")


def _generate_rename(rng: random.Random) -> TaskInstance:
    dates = sorted({(rng.randint(1, 28), rng.randint(1, 12), rng.randint(2019, 2026)) for _ in range(7)})
    files = {"reports/README.txt": "Quarterly reports. Keep this file as it is.\n"}
    expected = {"README.txt": files["reports/README.txt"]}
    for day, month, year in dates:
        body = f"Report of {year}-{month:02d}-{day:02d}: {rng.randint(10, 999)} items shipped.\n"
        files[f"reports/report_{day:02d}-{month:02d}-{year}.txt"] = body
        expected[f"report_{year}-{month:02d}-{day:02d}.txt"] = body
    rename = "sed -E 's/report_([0-9]{2})-([0-9]{2})-([0-9]{4})/report_\\3-\\2-\\1/'"
    return TaskInstance(
        statement=(
            "The files in reports/ are named report_DD-MM-YYYY.txt. Rename each of them to "
            "report_YYYY-MM-DD.txt (for example report_07-03-2024.txt becomes report_2024-03-07.txt) so "
            "that they sort by date. Keep their contents, and leave reports/README.txt alone. "
            "Then call check()."
        ),
        files=files,
        verify=partial(_verify_rename, expected=expected),
        solution=(f'cd reports && for f in report_*.txt; do mv "$f" "$(echo "$f" | {rename})"; done',),
    )


async def _verify_rename(context: CheckContext, *, expected: dict[str, str]) -> Verdict:
    try:
        present = {entry.name for entry in context.workspace.listing("reports").entries}
    except ActionError as exc:
        return Verdict(False, str(exc))
    unexpected = sorted(present - expected.keys())
    if unexpected:
        return Verdict(False, f"reports/ holds files with names not of the new form: {', '.join(unexpected)}")
    missing = expected.keys() - present
    if missing:
        return Verdict(False, f"{len(missing)} report(s) are missing from reports/ (renamed or deleted?)")
    for name, body in expected.items():
        try:
            same = context.workspace.read_text(f"reports/{name}", limit=10_000) == body
        except ActionError:
            same = False
        if not same:
            return Verdict(False, f"reports/{name} does not hold the report of that date")
    return Verdict(True, "every report has its new name and its content")


def _customers(rng: random.Random) -> tuple[str, list[str]]:
    cities = rng.sample(_CITIES, rng.randint(5, 7))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "name", "city", "email"])
    used: list[str] = []
    for number in range(1, rng.randint(30, 45)):
        first, last = rng.choice(_NAMES), rng.choice(_SURNAMES)
        name = f"{last}, {first}" if rng.random() < 0.4 else f"{first} {last}"
        city = cities[number % len(cities)] if number <= len(cities) else rng.choice(cities)
        used.append(city)
        writer.writerow([number, name, city, f"{first.lower()}.{last.lower()}@example.com"])
    return out.getvalue(), sorted(set(used))


def _generate_csv(rng: random.Random) -> TaskInstance:
    table, cities = _customers(rng)
    rows = "csv.DictReader(open('data/customers.csv'))"
    program = f"import csv; print(*sorted({{r['city'] for r in {rows}}}), sep='\\n')"
    return TaskInstance(
        statement=(
            "data/customers.csv is a CSV file with a header row (names may contain commas, quoted). Write "
            "the distinct values of its city column to /workspace/cities.txt, one per line, sorted in "
            "byte order (as LC_ALL=C sort does), without the header. Then call check()."
        ),
        files={"data/customers.csv": table},
        verify=partial(_verify_csv, cities=cities),
        solution=(f'python3 -c "{program}" > cities.txt',),
    )


async def _verify_csv(context: CheckContext, *, cities: list[str]) -> Verdict:
    answer = answer_file(context, "cities.txt")
    if answer is None:
        return Verdict(False, "cities.txt is missing")
    lines = [line.rstrip() for line in answer.splitlines()]
    if lines == cities:
        return Verdict(True, "correct")
    if len(set(lines)) != len(lines):
        return Verdict(False, "cities.txt has duplicate lines")
    if set(lines) != set(cities):
        return Verdict(
            False,
            f"cities.txt lists {len(lines)} values, not the set of distinct cities "
            "(is the header left out, and are quoted names with commas parsed as one field?)",
        )
    return Verdict(False, "cities.txt has the right cities but not in byte order")


CREATE_FILE = Task("create_file", "Create a file with given content", _generate_create)
RENAME_FILES = Task("rename_files", "Rename files by a rule", _generate_rename)
CSV_DEDUPE = Task("csv_dedupe", "Sort and deduplicate a CSV column", _generate_csv)
