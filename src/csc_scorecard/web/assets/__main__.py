"""python -m csc_scorecard.web.assets [install|build]"""

import sys

from . import AssetsError, build, install

commands = sys.argv[1:] or ["build"]
try:
    for command in commands:
        if command == "install":
            install(force=True)
        elif command == "build":
            print(f"assets built in {build()}")
        else:
            sys.exit(f"unknown command {command!r}: install or build")
except AssetsError as error:
    sys.exit(str(error))
