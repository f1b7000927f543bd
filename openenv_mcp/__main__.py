"""`python -m openenv_mcp` runs the CLI."""

import sys

from openenv_mcp.cli import main

sys.exit(main())
