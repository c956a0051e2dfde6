"""`python -m traceiq_app.cli ...` is the `traceiq` command (the supervisor starts workers so)."""

import sys

from traceiq_app.cli import main

sys.exit(main())
