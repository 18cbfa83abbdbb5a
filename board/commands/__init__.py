"""One module per `board` subcommand.

Each module exposes ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``;
`board.cli` lists them.
"""
