"""`python -m tests.golden refresh [NAME ...]`: produce golden output afresh
after an intended change (all goldens when no NAME is given)."""
from __future__ import annotations

import argparse
import sys

from tests.golden import GOLDEN_DIR, GOLDENS, REPO, refresh


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden",
                                     description="Manage the golden output the tests compare against.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    refresh_cmd = commands.add_parser("refresh", help="produce golden output afresh from its transcripts",
                                      description=f"Rewrite {GOLDEN_DIR.relative_to(REPO)}/NAME from its transcripts; "
                                                  "review the diff before committing it.")
    refresh_cmd.add_argument("names", nargs="*", metavar="NAME",
                             help=f"which goldens (default: all of {', '.join(GOLDENS)})")
    args = parser.parse_args(argv)

    unknown = [name for name in args.names if name not in GOLDENS]
    if unknown:
        parser.error(f"unknown golden {', '.join(unknown)} (choose from {', '.join(GOLDENS)})")
    for name in args.names or GOLDENS:
        path = refresh(name)
        print(f"refreshed {path.relative_to(REPO)}/ ({sum(1 for p in path.rglob('*') if p.is_file())} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
