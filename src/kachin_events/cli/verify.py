"""``kachin-events verify``: rebuild a published release and compare it file by file."""

from __future__ import annotations

import sys

import click

from ._group import cli, needs_extra


@cli.command()
@click.argument("release_dir", type=click.Path(file_okay=False))
@click.option("--ref", metavar="REF", default=None,
              help="The git ref to rebuild from (default: the tag vX.Y.Z when the repository has it, else the "
                   "commit that published the release, else the data as it stands).")
@needs_extra
def verify(release_dir, ref):
    """Rebuild the release in RELEASE_DIR from its sources and compare every file.

    The release's own hashes are checked first (datapackage.json, SHA256SUMS and the
    files must agree). Then its version is built again from the repository at the git
    tag vX.Y.Z (or --ref), beside the releases published before it, and each file is
    compared: the same bytes, or, for Parquet files outside the pinned release
    environment (bash scripts/release-env), the same rows and values. Without a tag,
    the commit that added the release folder is the source. Exit status: 0
    reproduced (byte-identical in the pinned environment), 1 a file differs or the
    release's hashes disagree, 2 a usage error or no repository to rebuild from.

    \b
    Examples:
      kachin-events verify releases/0.1.0
      .venv-release/bin/kachin-events verify releases/0.1.0 --ref v0.1.0
    """
    from pathlib import Path

    from ..reproduce import reproduce_release
    from ..release.verify import verify_release

    folder = Path(release_dir)
    if not (folder / "datapackage.json").is_file():
        click.echo(f"{release_dir}: not a release folder (it has no datapackage.json)", err=True)
        sys.exit(2)
    problems = verify_release(folder)
    for p in problems:
        click.echo(f"{release_dir}: {p}", err=True)
    if problems:
        sys.exit(1)
    try:
        result = reproduce_release(folder, ref=ref)
    except ValueError as exc:
        click.echo(f"{release_dir}: {exc}", err=True)
        sys.exit(2)
    click.echo(result.to_text())
    sys.exit(0 if result.ok else 1)
