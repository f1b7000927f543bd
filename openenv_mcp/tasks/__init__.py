"""Tasksets: the tasks a trainer feeds an environment, as rows of a dataset.

The interface (the rest of the library, rewards and evaluation, builds on it):

- ``load(source, *, env=None, split=None, count=None) -> Taskset``: a parquet, JSON Lines or
  CSV file, a saved `datasets` folder, a hub name, Harbor task folders, rows, or a `datasets`
  object. With `env` (a class or an installed name) every row's options are checked now: a
  bad row fails the whole load with a `TaskError` naming it (see `rows` for the columns).
- ``builtin(env) -> Taskset``: the tasks an environment ships (`Environment.task_options`).
- ``Taskset``: ``.tasks`` (a tuple of `Task`), ``len``, ``ts["id"]`` / ``ts[0]``, ``.ids``,
  ``.splits``, ``.split(name)``, ``.take(count)``, ``.with_splits(eval_fraction, seed=)``,
  ``.rows()``, ``.to_dataset()``.
- ``Task``: ``.id``, ``.options`` (for `reset`), ``.seed``, ``.split``, ``.data`` (other
  columns, an answer for instance), ``.reset_kwargs(seed=None)``.
- Samplers ``Sequential``, ``Uniform``, ``Curriculum`` (taskset, ``seed=``): ``.next()`` and
  ``.take(n)`` give `Draw`s (``.task``, ``.seed``, ``.reset_kwargs()``), ``.group(G)`` G draws
  of one task and seed, ``.update(task_id, rewards)`` what a group scored.

`datasets` is imported only when a dataset is read or written (the ``data`` extra).

>>> from openenv_mcp.tasks import Task, Taskset, Uniform
>>> draw = Uniform(Taskset([Task("a", {"task": "a"})]), seed=1).next()
>>> draw.reset_kwargs()["options"]
{'task': 'a'}
"""

from openenv_mcp.tasks.builtin import builtin
from openenv_mcp.tasks.samplers import Curriculum, Draw, Sampler, Sequential, Uniform
from openenv_mcp.tasks.sources import load
from openenv_mcp.tasks.taskset import Task, Taskset

__all__ = ["Curriculum", "Draw", "Sampler", "Sequential", "Task", "Taskset", "Uniform", "builtin", "load"]
