"""``scr-returns plugins new`` and ``plugins check``: tools for plugin authors.

Neither needs a database: ``check`` loads the plugin as the service would and
validates its examples against the example review; ``new`` writes files.
"""

from __future__ import annotations

import sys
from itertools import groupby
from pathlib import Path

import click

from scr_returns.core.errors import PluginLoadError
from scr_returns.core.plugintools import Report, check_plugin, host_for, scaffold

SECTIONS = {
    "schemas": "Schemas pass the meta-schema, with $id, title and description",
    "examples": "Examples validate, or fail with exactly their stated codes",
    "codes": "Every rule code is documented",
    "coverage": "Every form version has valid and invalid examples",
    "chronology": "The chronology maps onto the common entry",
    "imports": "Only the public plugin API is imported; the hook gives one value",
}


def render(report: Report, *, verbose: bool) -> list[str]:
    """The report as lines of text: each section, its failures (and with -v its passes)."""
    dist = f"distribution {report.distribution}, " if report.distribution else ""
    lines = [f"plugin {report.plugin}: agency {report.agency!r}, {dist}version "
             f"{report.version}"]
    for section, group in groupby(report.findings, key=lambda f: f.section):
        found = list(group)
        failed = [f for f in found if not f.ok]
        mark = "FAIL" if failed else "ok  "
        lines.append(f"  {mark} {SECTIONS.get(section, section)} "
                     f"({len(found) - len(failed)}/{len(found)})")
        for f in found:
            if not f.ok or verbose:
                lines.append(f"         {'ok  ' if f.ok else 'FAIL'} {f.subject}: {f.detail}")
    lines += [f"  note: {note}" for note in report.notes]
    failures = len(report.failures)
    lines.append(f"{report.plugin}: {'conforms' if not failures else 'does NOT conform'} "
                 f"({len(report.findings)} checks, {failures} failed)")
    return lines


@click.command("check")
@click.argument("name")
@click.option("-v", "--verbose", is_flag=True, help="Show every check, not only failures.")
def check(name: str, verbose: bool) -> None:
    """Conformance check of the installed plugin NAME (a plugin or an agency name).

    Every schema passes the meta-schema; every example in the plugin's
    examples/ folder validates (valid/) or fails with exactly its stated codes
    (invalid/), checked as the API checks a submission against the example
    review; every rule code produced is documented; every form version has
    both kinds of example; the chronology maps onto the common entry; the
    plugin imports only the public API and its hook returns an equal value on
    every call. Exits 1 on any failure.
    """
    try:
        host, plugin = host_for(name)
    except LookupError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    except PluginLoadError as exc:
        click.echo(f"{name}: does NOT conform: it fails to load: {exc}", err=True)
        sys.exit(1)
    report = check_plugin(host, plugin)
    for line in render(report, verbose=verbose):
        click.echo(line)
    sys.exit(0 if report.ok else 1)


@click.command("new")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder to create (default ./scr-returns-NAME).")
def new(name: str, directory: Path | None) -> None:
    """Scaffold a plugin for a new agency NAME that passes `plugins check` as made."""
    target = directory or Path(f"scr-returns-{name}")
    try:
        written = scaffold(name, target)
    except (ValueError, FileExistsError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {len(written)} files to {target}/")
    for path in written:
        click.echo(f"  {path.relative_to(target)}")
    click.echo("next: pip install " + str(target) + f" && scr-returns plugins check {name}"
               f" && scr-returns plugins enable {name}")
