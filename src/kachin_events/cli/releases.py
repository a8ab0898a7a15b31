"""Release commands: ``build``, ``diff``, ``register`` and ``download``.

The commands about the published releases (``versions``, ``history``) are in
:mod:`kachin_events.cli.published`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._group import cli, echo_report, format_option, needs_extra

@cli.command()
@click.option("--version", "version", required=True, metavar="X.Y.Z", help="The release to download.")
@click.option("--dest", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Folder to download into; the release goes to DEST/X.Y.Z/.")
@click.option("--base-url", metavar="URL", default=None,
              help="Where releases are hosted, as URL/X.Y.Z/... (a mirror). "
                   "Default: $KACHIN_EVENTS_BASE_URL, else the registry's URL for the version.")
@click.option("--unregistered", type=click.Choice(("warn", "error")), default="warn", show_default=True,
              help="A version not in the registry shipped with kachin-events: download it, verified against its "
                   "own descriptor only, with a warning; or refuse it (error).")
@click.option("--progress/--no-progress", default=True, show_default=True, help="Show a progress bar per file.")
def download(version, dest, base_url, unregistered, progress):
    """Download a published release, verifying every file's SHA-256.

    The release's datapackage.json, its SHA256SUMS and the registry shipped with
    kachin-events must all agree, and every file must match: anything else refuses
    the release. A version not in the registry is verified against its own
    descriptor only, with a warning (--unregistered error refuses it). The files
    arrive in a hidden staging folder and DEST/X.Y.Z/ appears only when all are
    verified: a refused or interrupted download leaves nothing. An existing
    DEST/X.Y.Z/ is verified, not downloaded again. Exit status: 0 done, 1 the
    release was refused (a hash that does not match, lists of hashes that
    disagree, an unregistered version with --unregistered error), 2 a usage error,
    a network failure or an incomplete DEST/X.Y.Z/.

    \b
    Examples:
      kachin-events download --version 0.1.0 --dest data-releases
      kachin-events download --version 0.1.0 --base-url https://mirror.example.org/kachin-events
      kachin-events download --version 0.2.0 --unregistered error
    """
    import warnings

    from ..loader import DownloadError, ReleaseRefusedError, UnregisteredReleaseWarning
    from ..loader import download as fetch

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnregisteredReleaseWarning)
        try:
            folder = fetch(version, dest, base_url=base_url, progress=progress, unregistered=unregistered)
        except ReleaseRefusedError as exc:
            click.echo(f"kachin-events download: {exc}", err=True)
            sys.exit(1)
        except (DownloadError, OSError, ValueError) as exc:  # network failures, bad arguments, unwritable DEST
            click.echo(f"kachin-events download: {exc}", err=True)
            sys.exit(2)
        finally:
            for w in caught:
                click.echo(f"kachin-events download: warning: {w.message}", err=True)
    click.echo(f"release {version} downloaded and verified in {folder}")

@cli.command()
@click.option("--version", "version", required=True, metavar="X.Y.Z",
              help="The release's version; it must bump at least what the changes since the previous release need.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="The folder of releases; the release is written to OUT/X.Y.Z and OUT/kachin-events-X.Y.Z.zip.")
@click.option("--package", type=click.Path(), default=None,
              help="The datapackage.json to release (default: the nearest one, as for validate; outside a "
                   "repository there is none, and build refuses).")
@click.option("--previous", default=None, metavar="DIR|X.Y.Z",
              help="The release to compare with (default: the highest version in OUT below X.Y.Z).")
@format_option
@needs_extra
def build(version, out, package, previous, fmt):
    """Validate the data and build release X.Y.Z: CSV, Parquet, exports, checksums and a zip.

    Refuses invalid data (the validation report is printed), a version equal to or
    below a release already in OUT (nothing is overwritten or modified), and a version
    number smaller than the changes since the previous release need. Like validate, it
    releases the nearest datapackage.json, and outside a repository it refuses unless
    --package names one (such as the snapshot installed with kachin-events). The
    release is written into a hidden staging folder in OUT and renamed into place when
    complete: a failed or killed build leaves no partial release (a killed build's
    staging folder is removed by the next build). Exit status: 0 built, 1 refused, 2 a
    usage error, an unreadable file or no datapackage.json.

    \b
    Examples:
      kachin-events build --version 0.1.0 --out releases
      kachin-events build --version 0.2.0 --out releases --previous 0.1.0
      kachin-events build --version 0.2.0 --out releases --format json
    """
    import json

    from .. import _paths
    from ..release.build import InvalidDataError, ReleaseError, build_release
    from ..release.layout import zip_name
    from ..release.semver import VersionError, parse_version

    try:
        parse_version(version)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--version") from None
    source = package or _paths.find_package()
    if source is None:
        # As `validate` does: outside a repository there is no data to release but the
        # snapshot installed with the package, and building that must be asked for.
        msg = ("kachin-events build: no datapackage.json here or in any parent folder; run this in the "
               "repository, or give the package to release with --package (the snapshot installed with "
               f"kachin-events is {_paths.snapshot_package()})")
        click.echo(msg, err=True)
        sys.exit(2)
    try:
        path = build_release(version, out, source, previous=previous)
    except InvalidDataError as exc:
        report = exc.report
        echo_report(report, fmt)
        click.echo(f"kachin-events build: {exc}", err=True)
        sys.exit(report.exit_code)
    except (ReleaseError, VersionError, FileNotFoundError) as exc:
        click.echo(f"kachin-events build: {exc}", err=True)
        sys.exit(1)
    zipped = path.parent / zip_name(version)
    if fmt == "json":
        click.echo(json.dumps({"version": version, "path": str(path), "zip": str(zipped)}, indent=2))
    else:
        click.echo(f"built release {version}: {path} and {zipped}")

@cli.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--releases", default="releases", show_default=True, type=click.Path(file_okay=False),
              help="The folder that version numbers are looked up in.")
@click.option("--base", "base", metavar="REF", default=None,
              help="Compare the data package here (or --package) with this git ref or release instead: "
                   "what a branch or pull request changes.")
@click.option("--package", "package", type=click.Path(), default=None,
              help="With --base: the datapackage.json (or its folder); default the nearest one.")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "markdown")), default="text", show_default=True,
              help="text for people, json for programs, markdown for release notes or a pull-request comment.")
def diff(old, new, releases, base, package, fmt):
    """Show what changed between two releases, or what a branch changes in the data.

    OLD and NEW are release folders, or version numbers in the releases folder. Lists
    events added, removed and changed (with the old and new values), schema changes,
    and rows added, removed and changed in the other tables. With --base REF instead
    of OLD and NEW, compares the data package of the working tree with REF (a branch,
    tag or commit, or a release): the events a pull request adds, changes field by
    field and retires, with the file and line of each. Exit status: 0, or 2 when a
    release or the base cannot be found or read.

    \b
    Examples:
      kachin-events diff 0.1.0 0.2.0
      kachin-events diff 0.1.0 0.2.0 --releases dist/releases --format json
      kachin-events diff releases/0.1.0 /tmp/rel/0.1.1 --format markdown
      kachin-events diff --base origin/main --format markdown
    """
    from ..validation.read import UnreadableError

    if base is not None and (old or new):
        raise click.UsageError("give either OLD and NEW (two releases) or --base REF (this branch against REF)")
    if base is None and not (old and new):
        raise click.UsageError("give OLD and NEW (two releases), or --base REF to diff the working tree against REF")
    if package is not None and base is None:
        raise click.UsageError("--package goes with --base")
    try:
        if base is not None:
            from ..contrib.changes import diff_with_base

            result = diff_with_base(package, base)
        else:
            from ..release.diff import diff_releases

            result = diff_releases(old, new, releases=releases)
    except (FileNotFoundError, ValueError) as exc:
        click.echo(f"kachin-events diff: {exc}", err=True)
        sys.exit(2)
    except UnreadableError as exc:
        click.echo(f"kachin-events diff: {exc.file}: {exc.message}", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(result.to_json())
    elif fmt == "markdown":
        click.echo(result.to_markdown(), nl=False)
    else:
        click.echo(result.to_text())

@cli.command()
@click.argument("release_dir", type=click.Path(file_okay=False))
@click.option("--url", default=None, metavar="URL",
              help="Base URL the release is published under (files at URL/X.Y.Z/...). "
                   "Leave it out until the release is really hosted: never guess one.")
@click.option("--registry", "registry_path", type=click.Path(dir_okay=False), default=None,
              help="The registry file to update (default: the one in the package, "
                   "src/kachin_events/registry.json in a checkout).")
def register(release_dir, url, registry_path):
    """Record a built release (its version and every file's SHA-256) in the registry.

    Every file is hashed again first: the files, the release's SHA256SUMS and the
    hashes in its datapackage.json must agree (SHA-256 only), and links are refused.
    A version already registered with different hashes is refused: releases are
    immutable, so changes need a new version. Run it after `build`, and commit the
    registry. Exit status: 0 done, 1 refused, 2 a usage error, an unreadable release
    or an unreadable registry.

    \b
    Examples:
      kachin-events register releases/0.1.0
      kachin-events register releases/0.1.0 --url https://data.example.org/kachin-events
    """
    from ..release.registry import RegistryError, UnreadableReleaseError, register_release

    folder = Path(release_dir)
    if not (folder / "SHA256SUMS").is_file():
        click.echo(f"kachin-events register: {release_dir} is not a built release (no SHA256SUMS); "
                   "give the folder that `kachin-events build` wrote, e.g. releases/0.1.0", err=True)
        sys.exit(2)
    try:
        entry = register_release(folder, url=url, registry_path=registry_path)
    except (UnreadableReleaseError, RegistryError) as exc:
        click.echo(f"kachin-events register: {exc}", err=True)
        sys.exit(2)
    except (ValueError, OSError) as exc:
        click.echo(f"kachin-events register: {exc}", err=True)
        sys.exit(1)
    where = entry.get("base_url") or "not hosted yet (no URL)"
    click.echo(f"registered {entry['version']}: {len(entry['files'])} files; URL: {where}")
