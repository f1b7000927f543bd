"""OpenEnv 0.10.0's own clients, as scripts run by the python of OpenEnv's virtual environment.

They import `openenv`, which cannot share our virtual environment (it pins ``mcp<2``): pyright
skips this folder, and nothing of ours imports it. Each prints one JSON report on stdout.
"""
