"""``python -m kitsu_orm.devserver``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
