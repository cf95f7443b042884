"""The ``steward`` command: serve, digest, export, db upgrade, check, sandbox."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from bot.config.settings import ConfigError, Settings, environment, load_settings
from bot.observability.logs import configure_logging

LOG_FORMATS = ("text", "json")

log = logging.getLogger("steward")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one clear line on stderr, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"steward: {message} (see `steward --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="steward", description="Delegation with acceptance, in Slack.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    serve = commands.add_parser("serve", help="run the bot")
    serve.add_argument(
        "--http", action="store_true", help="HTTP mode even if SLACK_APP_TOKEN is set"
    )
    serve.add_argument("--port", type=int, help="HTTP port (default: PORT, else 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP address to listen on")
    export = commands.add_parser("export", help="write every activity event to stdout")
    export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    db_commands.add_parser("upgrade", help="apply schema migrations to DATABASE_URL")
    commands.add_parser("check", help="validate configuration and tokens")
    digest = commands.add_parser("digest", help="the telemetry digest of the last N days")
    digest.add_argument("--days", type=int, default=7, help="window length in days (default 7)")
    digest.add_argument(
        "--lead", metavar="USER_ID", help="only what this lead and their team delegated"
    )
    digest.add_argument(
        "--post", action="store_true", help="also post it (to digest_channel; a lead's by DM)"
    )
    sandbox = commands.add_parser(
        "sandbox", help="try Steward on this machine: a local Slack page, no workspace needed"
    )
    sandbox.add_argument(
        "--db", type=Path, metavar="FILE", help="keep the sandbox's SQLite database in FILE"
    )
    sandbox.add_argument("--port", type=int, default=3300, help="the page's port (default 3300)")
    sandbox.add_argument("--script", choices=["demo"], help="play a story and print it")
    sandbox.add_argument("--open", action="store_true", help="open the page in a browser")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    log_format = os.environ.get("LOG_FORMAT", "text").strip().lower() or "text"
    if log_format not in LOG_FORMATS:
        print("steward: LOG_FORMAT must be text or json", file=sys.stderr)
        return 2
    if args.command == "sandbox":  # needs no tokens, environment or policy file
        configure_logging(level=os.environ.get("LOG_LEVEL", "WARNING"), log_format=log_format)
        from sandbox.command import run_sandbox

        try:
            return run_sandbox(
                database=args.db, port=args.port, script=args.script, open_browser=args.open
            )
        except KeyboardInterrupt:
            return 0
    configure_logging(level=os.environ.get("LOG_LEVEL", "INFO"), log_format=log_format)
    try:
        settings = load_settings(environment(os.environ))
        return _run(args, settings)
    except ConfigError as error:
        print(f"steward: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        from bot.commands.serve import serve

        return serve(settings, http=args.http, port=args.port, host=args.host)
    if args.command == "export":
        from bot.commands.export import run_export

        return run_export(settings, out=sys.stdout, format=args.format)
    if args.command == "digest":
        from bot.commands.digest import run_digest

        return run_digest(settings, days=args.days, post=args.post, lead=args.lead)
    if args.command == "db":
        from bot.commands.db import run_upgrade

        return run_upgrade(settings, out=sys.stdout)
    from bot.commands.check import run_checks

    return run_checks(settings, out=sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
