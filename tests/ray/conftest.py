"""One real local Ray cluster for every Ray test: a head and a second node, one CPU each.

Without Ray (or where a cluster cannot start) the tests skip, except under CI=true, where
they fail: CI installs Ray, so a missing cluster there is a broken machine, not a choice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, cast

import pytest

from tests.ray.cluster import LocalCluster, in_ci


def _ray() -> Any:
    from openenv_mcp.ray._ray import RayUnavailableError, ray_module

    try:
        return ray_module()
    except RayUnavailableError:
        if in_ci():
            raise
        pytest.skip("Ray is not installed (the ray extra)")


@pytest.fixture(scope="session")
def cluster() -> Iterator[LocalCluster]:
    ray = _ray()
    from openenv_mcp.ray import connect

    local = LocalCluster()
    try:
        local.start_head()
        local.add_node(resources={"steady": 100})
        connect(local.address, "openenv-mcp-tests")
        local.wait_for_nodes(ray, alive=2)
    except Exception as exc:
        local.stop()
        if in_ci():
            raise
        pytest.skip(f"no local Ray cluster could start here: {exc}")
    try:
        yield local
    finally:
        ray.shutdown()
        local.stop()


@pytest.fixture
def namespace(cluster: LocalCluster) -> Iterator[str]:
    """A namespace of the test's own; every actor in it must be gone when the test ends."""
    name = f"t{uuid.uuid4().hex[:12]}"
    yield name
    assert live_actors(name) == [], "episode actors were left behind"


def live_actors(namespace: str) -> list[str]:
    """Names of the live named actors of `namespace`."""
    import ray

    listed = cast(list[dict[str, str]], ray.util.list_named_actors(all_namespaces=True))
    return [a["name"] for a in listed if a["namespace"] == namespace]
