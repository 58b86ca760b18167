"""Command line of the editions: extract, init, check, build (see the package's docstring)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from babel import Locale

from lab_utils.i18n import CODE_STUB, catalog

from . import catalogs
from .build import Untranslated, build, edition_name


def _shown(path) -> str:
    try:
        return str(path.relative_to(catalogs.ROOT))
    except ValueError:
        return str(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m editions", description=__import__("editions").__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("extract", help="write the templates from the English sources and merge them into every catalog")
    init = commands.add_parser("init", help="start the catalogs of a new language")
    init.add_argument("language", help="a locale code such as pt_BR, es, fr")
    commands.add_parser("release", help="build every edition, then generate the learners' notebooks of "
                                        "the English one and of each (nbgrader generate_assignment; make release)")
    for name, text in (("check", "list what is missing, fuzzy or broken"), ("build", "generate the edition notebooks")):
        command = commands.add_parser(name, help=text)
        command.add_argument("languages", nargs="*", help="default: every language in locale/")
    args = parser.parse_args(argv)

    if args.command == "extract":
        changed = catalogs.extract()
        print("\n".join(f"updated {_shown(p)}" for p in changed) or "catalogs up to date")
        return 0
    if args.command == "init":
        try:  # pt-BR, pt_br -> pt_BR, as Babel and gettext name it
            args.language = str(Locale.parse(args.language.replace("-", "_")))
        except (ValueError, TypeError) as error:
            print(f"{args.language!r} is not a language code Babel knows ({error}); e.g. es, fr, pt_PT", file=sys.stderr)
            return 2
        if args.language in catalogs.languages():
            print(f"{args.language} has catalogs already: python -m editions extract refreshes them", file=sys.stderr)
            return 1
        changed = catalogs.extract([args.language])
        print("\n".join(f"created {_shown(p)}" for p in changed if args.language in p.parts))
        print(f"translate the msgstr of each, then: python -m editions build {args.language} && make release")
        return 0
    if args.command == "release":
        return release()
    languages = args.languages or catalogs.languages()
    status = 0
    for language in languages:
        if args.command == "check":
            found = [p for stem in catalogs.stems() for p in catalogs.problems(language, stem)]
            print(f"{language}: " + (f"{len(found)} problem(s)" if found else "complete"))
            for problem in found:
                print(f"  {problem}")
            status |= bool(found)
        else:
            try:
                written = build(language)
            except Untranslated as error:
                print(error, file=sys.stderr)
                status = 1
                continue
            print(f"{edition_name(language)}: {len(written)} notebooks in notebooks/source/{edition_name(language)}")
    return status


def release() -> int:
    """Build every edition and run ``nbgrader generate_assignment`` for the English assignment and
    each edition, from the repository's top level (where nbgrader_config.py is)."""
    status = main(["build"])
    if status:
        return status
    bin_dir = os.path.dirname(sys.executable)  # nbgrader and alembic of this environment
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    env.pop("EDITION_CODE_STUB", None)
    nbgrader = [os.path.join(bin_dir, "nbgrader"), "generate_assignment", "--force"]
    runs = [(catalogs.SOURCE_ASSIGNMENT, env)] + [
        (edition_name(language), {**env, "EDITION_CODE_STUB": catalog(language).gettext(CODE_STUB)})
        for language in catalogs.languages()]
    for assignment, environment in runs:
        done = subprocess.run([*nbgrader, assignment], cwd=catalogs.ROOT, env=environment)
        if done.returncode:
            return done.returncode
        print(f"{assignment}: notebooks/release/{assignment}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
