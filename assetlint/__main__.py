import sys

from assetlint.cli import main

sys.exit(main())
