"""The `imgwizard` commands (argparse): command.py builds the parser and runs the one asked for, each other module
registers a group of commands (context: render, lint, validate; build; archive: export, import; commit; check;
push; image: answers, layers), connect.py gives the Docker ones --host and their client, exits.py the exit
statuses, plain.py the plain questionary flow (`imgwizard --plain`). The Textual wizard is screens/app.py."""

from screens.cli.command import main

__all__ = ["main"]
