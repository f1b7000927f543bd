"""Tasksets from datasets: every file kind, a saved dataset, a folder read as a hub name, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openenv_mcp.errors import InvalidOptionsError, TaskError, UnknownTaskError
from openenv_mcp.tasks import Task, Taskset, builtin, load
from openenv_mcp.tasks.library import datasets
from openenv_mcp_python import PythonEnvironment
from openenv_mcp_wordle import WordleEnvironment

Dataset: Any = datasets(TaskError, "these tests").Dataset
DatasetDict: Any = datasets(TaskError, "these tests").DatasetDict

# Every row names every column: `Dataset.from_list` takes its columns from the first row alone.
ROWS: list[dict[str, Any]] = [
    {"id": "w1", "options": json.dumps({"word": "crane"}), "answer": "crane", "split": "train", "seed": None},
    {
        "id": "w2",
        "options": json.dumps({"word": "slate", "hard_mode": True}),
        "answer": "slate",
        "split": "eval",
        "seed": None,
    },
    {"id": "w3", "options": json.dumps({}), "answer": "", "split": "train", "seed": 5},
]


def _check(taskset: Taskset) -> None:
    assert taskset.ids == ["w1", "w2", "w3"]
    assert taskset["w2"].options == {"word": "slate", "hard_mode": True}
    assert taskset["w1"].data == {"answer": "crane"}
    assert taskset["w3"].seed == 5 and taskset[0].seed is None
    assert taskset.split("eval").ids == ["w2"] and taskset.splits == ["train", "eval"]


@pytest.mark.parametrize("kind", ["parquet", "jsonl", "csv"])
def test_a_file_of_each_kind_loads_the_same_tasks(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"tasks.{kind}"
    dataset = Dataset.from_list(ROWS)
    {"parquet": dataset.to_parquet, "jsonl": dataset.to_json, "csv": dataset.to_csv}[kind](str(path))
    _check(load(path, env=WordleEnvironment))


def test_a_saved_dataset_with_splits_names_each_rows_split(tmp_path: Path) -> None:
    rows = [{k: v for k, v in row.items() if k != "split"} for row in ROWS]
    DatasetDict({"train": Dataset.from_list(rows[:1]), "test": Dataset.from_list(rows[1:])}).save_to_disk(
        tmp_path
    )
    taskset = load(tmp_path, env="wordle")
    assert taskset.splits == ["train", "test"] and taskset.split("test").ids == ["w2", "w3"]
    assert load(tmp_path, env="wordle", split="test", count=1).ids == ["w2"]


def test_a_data_folder_goes_the_hub_names_way(tmp_path: Path) -> None:
    """A folder of data files takes the call a hub name takes (`load_dataset(name)`): the hub's path."""
    Dataset.from_list(ROWS).to_parquet(str(tmp_path / "train.parquet"))
    _check(load(str(tmp_path), env=WordleEnvironment))
    _check(load(f"hf://datasets/{tmp_path}", env=WordleEnvironment))


def test_rows_and_datasets_and_tasksets_load_alike() -> None:
    _check(load(ROWS, env=WordleEnvironment))
    _check(load(Dataset.from_list(ROWS)))
    again = load(load(ROWS).to_dataset(), env=WordleEnvironment)
    _check(again)
    assert load(again).rows() == again.rows()


def test_a_task_column_holds_an_id_or_a_whole_row() -> None:
    taskset = load(
        [{"id": "a", "task": "fizzbuzz"}, {"id": "two_sum"}, {"id": "c", "task": _custom_task()}],
        env=PythonEnvironment,
    )
    assert [t.options["task"] for t in taskset][:2] == ["fizzbuzz", "two_sum"]
    assert taskset["c"].options["task"]["function"] == "double"


def _custom_task() -> dict[str, Any]:
    return {
        "id": "double",
        "title": "Double it",
        "function": "double",
        "signature": "def double(x: int) -> int:",
        "statement": "Return twice x.",
        "starter": "def double(x: int) -> int:\n    raise NotImplementedError\n",
        "tests": [{"call": "double(2)", "expected": "4"}],
    }


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        (
            [{"id": "a", "task": "fizzbuzz"}, {"id": "b", "task": "nope"}],
            "row 1 (task 'b'): invalid episode options",
        ),
        ([{"id": "a", "task": {"id": "x", "title": "no tests"}}], "row 0 (task 'a')"),
        ([{"id": "", "task": "fizzbuzz"}], "row 0: `id` must be"),
        ([{"id": "a", "options": "{not json"}], "row 0: `options` is not valid JSON"),
        ([{"id": "a", "options": [1]}], "row 0: `options` must be a mapping"),
        ([{"id": "a", "task": "fizzbuzz", "options": {"task": "x"}}], "the task is given twice"),
        ([{"id": "a", "task": "fizzbuzz", "seed": -1}], "`seed` must be"),
        ([{"id": "a", "task": "fizzbuzz"}, {"id": "a", "task": "caesar"}], "row 1 repeats the task id 'a'"),
    ],
)
def test_a_bad_row_fails_the_load_and_is_named(rows: list[dict[str, Any]], said: str) -> None:
    with pytest.raises(TaskError) as caught:
        load(rows, env=PythonEnvironment)
    assert said in str(caught.value) and isinstance(caught.value, InvalidOptionsError)
    assert caught.value.kind == "invalid_task"


def test_wrong_columns_missing_files_and_unreadable_files_are_clear(tmp_path: Path) -> None:
    Dataset.from_list([{"name": "a", "prompt": "p"}]).to_parquet(str(tmp_path / "cols.parquet"))
    with pytest.raises(
        TaskError, match=r"cols\.parquet: a taskset needs an `id` column .* columns are: name, prompt"
    ):
        load(tmp_path / "cols.parquet")
    with pytest.raises(TaskError, match="no such file"):
        load(tmp_path / "absent.parquet")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(TaskError, match=r"bad\.parquet: the datasets library could not read it"):
        load(tmp_path / "bad.parquet")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(TaskError, match="not a parquet, JSON Lines or CSV file"):
        load(tmp_path / "notes.txt")


def test_unknown_ids_and_splits_are_unknown_task_errors() -> None:
    taskset = builtin(PythonEnvironment)
    with pytest.raises(UnknownTaskError, match=r"unknown task 'nope'.*fizzbuzz"):
        taskset["nope"]
    with pytest.raises(UnknownTaskError, match="no split 'eval'"):
        taskset.split("eval")
    assert UnknownTaskError.kind == "unknown_task"


def test_splits_made_by_a_seeded_draw_are_the_same_every_time() -> None:
    taskset = Taskset(Task(str(i)) for i in range(50))
    first, again = taskset.with_splits(0.2, seed=3), taskset.with_splits(0.2, seed=3)
    assert first.split("eval").ids == again.split("eval").ids and len(first.split("eval")) == 10
    assert first.split("eval").ids != taskset.with_splits(0.2, seed=4).split("eval").ids
    assert len(first.take(7)) == 7
