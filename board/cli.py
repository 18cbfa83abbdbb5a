"""`board`: the project's command line. Each subcommand lives in its own module."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from board.commands import demo, run, seed, serve, traces, xray
from board.local_daemon import DaemonStartError
from board.secrets import SecretError
from db.url import DatabaseURLError
from tracing import ConfigurationError, RuleFileError

COMMANDS: tuple[ModuleType, ...] = (run, serve, xray, seed, traces, demo)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="board", description="X-Ray Board: a traced GraphQL board."
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        sub = subcommands.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.add_arguments(sub)
        sub.set_defaults(handler=command.run)
    return parser


# Their messages name the setting to change; a traceback would only bury it.
USER_FIXABLE = (
    ConfigurationError,
    DatabaseURLError,
    SecretError,
    RuleFileError,
    DaemonStartError,
)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except USER_FIXABLE as error:
        print(f"board {args.command}: {error}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
