"""Entry point for ``python -m trappetrin``."""

import sys

from .cli import main

sys.exit(main())
