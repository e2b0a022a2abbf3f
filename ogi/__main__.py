import sys

from ogi.cli import main

sys.exit(main())
