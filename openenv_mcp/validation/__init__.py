"""`openenv-mcp validate`: the conformance check, then semantic checks that fail broken environments.

Each check has a stable id, the same as OpenEnv's RFC 008 validator and our `openenv.yaml`
manifests use where one exists (`semantic.oracle_max`, `semantic.floor_gap`,
`semantic.no_solution_leakage`, `runtime.seed_control`, `runtime.episode_determinism`,
`runtime.episode_isolation`, `runtime.network_policy`), and ours where none does
(`runtime.contract`: `check_environment`; `runtime.tool_liveness`). An environment opts in to
the semantic checks with optional hooks (see `policies.py`): `oracle_action`,
`reward_range` and `hidden_answers`.
"""

from openenv_mcp.validation.report import CheckResult, Report, Status
from openenv_mcp.validation.runner import CHECKS, validate

__all__ = ["CHECKS", "CheckResult", "Report", "Status", "validate"]
