"""Command line: parse arguments, pick exit codes, call the code that does the work."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk import __version__

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Borne, the public access kiosk.")
    parser.add_argument("--version", action="version", version=f"borne {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debugging details")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="start the kiosk")
    run.add_argument("--profile", type=Path, help="profile to use instead of the default")
    run.add_argument("--windowed", action="store_true",
                     help="a normal window instead of full screen (for development)")
    run.add_argument("--mediators", type=Path, metavar="PATH",
                     help="the mediators file (default /etc/kiosk/mediators.toml)")

    profile = commands.add_parser("profile", help="work with profiles")
    profile_commands = profile.add_subparsers(dest="profile_command", required=True,
                                              metavar="ACTION")
    check = profile_commands.add_parser("check", help="validate a profile and summarise it")
    check.add_argument("path", type=Path)

    doctor = commands.add_parser("doctor", help="check that this machine can run the kiosk")
    doctor.add_argument("--profile", type=Path, help="profile to check instead of the default")
    doctor.add_argument("--mediators", type=Path, metavar="PATH",
                        help="the mediators file to check (default /etc/kiosk/mediators.toml)")

    add_mediator_commands(commands)

    stats = commands.add_parser("stats", help="show the anonymous counters")
    stats.add_argument("--since", metavar="DATE",
                       help="only the days from DATE (YYYY-MM-DD) on")
    stats.add_argument("--csv", action="store_true",
                       help="one row per day and partner, for a monthly report")
    stats.add_argument("--prometheus", type=Path, metavar="PATH",
                       help="also write them in Prometheus textfile-collector format")

    usb = commands.add_parser("usb-mount-service",
                              help="as root: mount residents' USB keys for the kiosk "
                                   "(the borne-usb service)")
    from kiosk.devices.usb_mount import add_arguments

    add_arguments(usb)
    return parser


def add_mediator_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`kiosk mediator add|remove|list|journal`; no option ever carries a PIN."""
    mediator = commands.add_parser("mediator", help="who may open assisted mode")
    actions = mediator.add_subparsers(dest="mediator_command", required=True, metavar="ACTION")
    file_help = "the mediators file (default /etc/kiosk/mediators.toml)"
    add = actions.add_parser("add", help="add a mediator (asks for the PIN twice)")
    add.add_argument("name")
    add.add_argument("--file", type=Path, metavar="PATH", help=file_help)
    add.add_argument("--totp", action="store_true",
                     help="also give them a second factor (a code from an authenticator app)")
    remove = actions.add_parser("remove", help="remove a mediator")
    remove.add_argument("name")
    remove.add_argument("--file", type=Path, metavar="PATH", help=file_help)
    listing = actions.add_parser("list", help="the mediators' names and the dates they were added")
    listing.add_argument("--file", type=Path, metavar="PATH", help=file_help)
    journal = actions.add_parser("journal", help="print the assistance journal, check its chain")
    journal.add_argument("--file", type=Path, metavar="PATH",
                         help="the journal (default KIOSK_STATE_DIR/journal.jsonl)")


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    try:
        return dispatch(args)
    except KeyboardInterrupt:
        return EXIT_PROBLEM


def dispatch(args: argparse.Namespace) -> int:
    if args.command in ("run", "doctor") and args.mediators is not None:
        from kiosk.settings import use_mediators_file

        use_mediators_file(args.mediators)
    if args.command == "run":
        from kiosk.runner import run_kiosk

        return run_kiosk(profile=args.profile, windowed=args.windowed)
    if args.command == "profile":
        return profile_check(args.path)
    if args.command == "doctor":
        from kiosk.doctor import run_doctor

        return run_doctor(args.profile)
    if args.command == "stats":
        from kiosk.stats.report import print_stats

        return print_stats(args.prometheus, since=args.since, as_csv=args.csv)
    if args.command == "mediator":
        return mediator_command(args)
    if args.command == "usb-mount-service":
        from kiosk.devices.usb_mount import serve

        return serve(args)
    raise AssertionError(f"unhandled command {args.command}")


def mediator_command(args: argparse.Namespace) -> int:
    """Run `kiosk mediator ACTION` on the file given, or the one `kiosk run` would read."""
    from kiosk.assisted import commands
    from kiosk.settings import current

    streams = commands.Streams(sys.stdin, sys.stdout, sys.stderr)
    if args.mediator_command == "journal":
        return commands.journal(args.file, streams)
    path: Path = args.file or current().mediators_file
    if args.mediator_command == "add":
        return commands.add(path, args.name, args.totp, streams)
    if args.mediator_command == "remove":
        return commands.remove(path, args.name, streams)
    return commands.list_mediators(path, streams)


def profile_check(path: Path) -> int:
    """Print a summary of a valid profile, or every problem in a broken one."""
    from kiosk.config.load import load_profile, profile_warnings, summarize
    from kiosk.errors import ProfileError

    try:
        profile = load_profile(path)
    except ProfileError as error:
        print(f"{path}: this profile cannot be used:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(summarize(profile))
    for warning in profile_warnings(profile):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{path}: OK")
    return EXIT_OK
