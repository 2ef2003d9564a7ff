"""python -m bench: see bench/run.py (bin/bench sets up the virtualenv first)."""

import sys

from bench.run import main

sys.exit(main())
