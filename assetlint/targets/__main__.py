"""`python -m assetlint.targets --update-readme [README.md]`."""

import sys

from assetlint.targets.cli import main

sys.exit(main())
