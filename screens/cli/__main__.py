"""`python -m screens.cli`: the `imgwizard` command."""

import sys

from screens.cli.command import main

sys.exit(main())
