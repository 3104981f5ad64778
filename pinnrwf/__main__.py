"""``python -m pinnrwf ...`` is the ``pinnrwf`` command."""

import sys

from pinnrwf.cli import main

if __name__ == "__main__":
    sys.exit(main())
