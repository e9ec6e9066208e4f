"""`python -m provisioning.cli`: the same as the `provisioning` command."""

from __future__ import annotations

import sys

from . import main

sys.exit(main())
