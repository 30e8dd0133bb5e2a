"""Command line: the only place that catches the project's errors, prints
them as ``error: PATH:LINE: message`` and turns them into exit codes."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.config import DEFAULT_CONFIG, ConfigError, SiteConfig, load_config
from generator.errors import GeneratorError, Report

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _common(parser: argparse.ArgumentParser,
            strict_help: str = "exit with status 1 if any file had an error or warning") -> None:
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="site config to read (default: ./site.yaml)")
    parser.add_argument("--source", metavar="DIR", help="folder of Archive.fm transcripts (default: seeds)")
    parser.add_argument("--content", metavar="DIR", help="folder of Markdown pages (default: content)")
    parser.add_argument("--strict", action="store_true", help=strict_help)


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", help="output folder (default: _site)")
    parser.add_argument("--base-url", metavar="URL",
                        help="absolute URL the site is served from, e.g. https://user.github.io/repo/")
    parser.add_argument("--verbose", action="store_true",
                        help="list the episodes the podcast feeds gave no audio for")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Turn Archive.fm podcast transcripts into a searchable static site.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    imp = commands.add_parser("import", help="turn new or changed transcripts into Markdown pages",
                              description="Turn new or changed transcripts into Markdown pages under "
                                          "content/episodes/. Pages edited by hand are never overwritten.")
    _common(imp)

    build = commands.add_parser("build", help="import, then render the site",
                                description="Import new or changed transcripts, then render the whole "
                                            "site into the output folder.")
    _common(build)
    _output(build)

    serve = commands.add_parser("serve", help="build, preview on this machine, rebuild on changes",
                                description="Build the site, serve it at http://HOST:PORT under the base "
                                            "URL's path (as GitHub Pages will), and rebuild when transcripts, "
                                            "content, templates or site.yaml change. Open pages reload by "
                                            "themselves and show build errors. Ctrl-C stops.")
    _common(serve, strict_help="show warnings in the browser along with errors")
    _output(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0: any free)")

    watch = commands.add_parser("watch", help="build, then rebuild whenever the inputs change",
                                description="Build the site, then import and rebuild whenever transcripts, "
                                            "content, templates or site.yaml change, without a server. "
                                            "A transcript is imported once it holds a whole header and "
                                            "text and has not changed for watch_settle_seconds (site.yaml, "
                                            "default 5), so a copy in progress is not. Ctrl-C stops.")
    _common(watch, strict_help="count warnings as errors in each rebuild's line")
    _output(watch)
    return parser


def _config(args: argparse.Namespace) -> SiteConfig:
    overrides = {"source_dir": args.source, "content_dir": args.content,
                 "output_dir": getattr(args, "out", None), "base_url": getattr(args, "base_url", None)}
    return load_config(args.config, overrides)


def _run(args: argparse.Namespace, config: SiteConfig, report: Report) -> None:
    if args.command in ("serve", "watch"):
        from generator.watch import Rebuilder

        rebuilder = Rebuilder(config, lambda: _config(args), args.config or Path(DEFAULT_CONFIG),
                              strict=args.strict, verbose=args.verbose)
        if args.command == "serve":
            from generator.serve import serve

            serve(rebuilder, args.host, args.port)
        else:
            from generator.watch import watch

            watch(rebuilder)
        return

    if args.command == "build":
        from generator import unchanged   # first, and alone: a no-op imports neither stage

        nothing_new, before = unchanged.last_build(config)
        if nothing_new:
            summary, result = nothing_new
            print(summary.line())
        else:
            from generator.build import build_site
            from generator.importer import import_site

            summary = import_site(config, report, stats=before and before.stats)
            print(summary.line())
            imported = unchanged.content_look(config, before, summary.added + summary.updated)
            result = build_site(config, report, imported.stats)
            unchanged.remember(config, report, summary, result, before, imported)
        print(result.line())
        if result.audio:
            print(result.audio.line())
            if args.verbose:
                print("".join(f"  no audio: {line}\n" for line in result.audio.unmatched), end="")
        return
    from generator.importer import import_site

    summary = import_site(config, report)
    print(summary.line())


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    report = Report()
    try:
        config = _config(args)
        _run(args, config, report)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {exc.path}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except GeneratorError as exc:
        report.error(exc)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    if args.strict and not report.clean:
        print(f"strict: {report.errors} error(s), {report.warnings} warning(s)", file=sys.stderr)
        return EXIT_ERRORS
    return EXIT_OK
