"""Commands about the published releases: ``versions`` and ``history``."""

from __future__ import annotations

import json
import sys

import click

from ._group import cli


def _size(n: int | None) -> str:
    return "size unknown" if n is None else f"{n:,} bytes"


def _versions_text(found, files: bool) -> str:
    if not found:
        return "No release has been published yet."
    lines = []
    for rel in found:
        where = "shipped with this package" if rel.folder is not None else "not shipped with this package"
        hosted = f"; hosted at {rel.base_url}" if rel.base_url else ""
        lines.append(f"{rel.version}  created {rel.created or 'unknown'}  {len(rel.files)} files, "
                     f"{_size(rel.bytes)}  ({where}{hosted})")
        lines.append(f"  SHA256SUMS  {rel.sums_sha256}")
        if rel.archive:
            lines.append(f"  {rel.archive['path']}  {_size(rel.archive.get('bytes'))}  {rel.archive['sha256']}")
        if files:
            lines += [f"    {rel.files[p]}  {rel.sizes.get(p, '?'):>10}  {p}" for p in rel.files]
    return "\n".join(lines)


@cli.command()
@click.option("--files", is_flag=True, help="Also list every file of each release with its size and SHA-256.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="text for people, json for programs.")
def versions(files, fmt):
    """List the published releases with their dates, sizes and hashes.

    A published release is in the registry shipped with kachin-events, and the
    package carries its files, so `kachin_events.load(version=...)` reads it without
    a network. The SHA-256 of each release's SHA256SUMS vouches for every file of it
    (check them with `sha256sum --check SHA256SUMS` in the release folder); the zip's
    is given too. Exit status: 0, or 2 when the registry cannot be read.

    \b
    Examples:
      kachin-events versions
      kachin-events versions --files
      kachin-events versions --format json
    """
    from ..release.published import releases
    from ..release.registry import RegistryError

    try:
        found = releases()
    except RegistryError as exc:
        click.echo(f"kachin-events versions: {exc}", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in found], indent=2, ensure_ascii=False))
    else:
        click.echo(_versions_text(found, files))


@cli.command()
@click.argument("event_id")
@click.option("--releases", "releases", type=click.Path(file_okay=False), default=None,
              help="A folder of releases (X.Y.Z/ folders written by `kachin-events build`) to trace the event "
                   "through. Default: the published releases shipped with kachin-events.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="text for people, json for programs.")
def history(event_id, releases, fmt):
    """Show every published release of one event and what changed in each.

    For each release in which EVENT_ID appears: added, changed (each field's old and
    new value, with the reason the corrections table records) or unchanged; then the
    release that retired it, when and why (the retractions table), or the event it
    was merged into. Events merged into EVENT_ID are listed too. Exit status: 0, 1
    when no release has the event or a published release shipped with the package
    was changed, 2 when a release cannot be read.

    \b
    Examples:
      kachin-events history KE000003
      kachin-events history KE000003 --format json
      kachin-events history KE000003 --releases build/releases
    """
    from ..integrity import HashMismatchError
    from ..release.history import UnknownEventError
    from ..release.history import history as trace

    try:
        result = trace(event_id, releases=releases)
    except (UnknownEventError, HashMismatchError) as exc:
        click.echo(f"kachin-events history: {exc.args[0]}", err=True)
        sys.exit(1)
    except (OSError, ValueError) as exc:  # FileNotFoundError is an OSError, CSV and JSON errors ValueErrors
        click.echo(f"kachin-events history: {exc}", err=True)
        sys.exit(2)
    click.echo(result.to_json() if fmt == "json" else result.to_text())
