"""``python -m kbfix`` is the ``kbfix`` command."""

import sys

from kbfix.cli import main

if __name__ == "__main__":
    sys.exit(main())
