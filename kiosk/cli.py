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

    profile = commands.add_parser("profile", help="work with profiles")
    profile_commands = profile.add_subparsers(dest="profile_command", required=True,
                                              metavar="ACTION")
    check = profile_commands.add_parser("check", help="validate a profile and summarise it")
    check.add_argument("path", type=Path)

    doctor = commands.add_parser("doctor", help="check that this machine can run the kiosk")
    doctor.add_argument("--profile", type=Path, help="profile to check instead of the default")

    stats = commands.add_parser("stats", help="show the anonymous counters")
    stats.add_argument("--prometheus", type=Path, metavar="PATH",
                       help="also write them in Prometheus textfile-collector format")

    usb = commands.add_parser("usb-mount-service",
                              help="as root: mount residents' USB keys for the kiosk "
                                   "(the borne-usb service)")
    from kiosk.devices.usb_mount import add_arguments

    add_arguments(usb)
    return parser


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

        return print_stats(args.prometheus)
    if args.command == "usb-mount-service":
        from kiosk.devices.usb_mount import serve

        return serve(args)
    raise AssertionError(f"unhandled command {args.command}")


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
