"""Releases: numbered, frozen copies of the data, and everything about them.

* :mod:`~kachin_events.release.layout`: the one module that knows a release folder's
  layout (file names, ``csv/``, ``parquet/``, ``exports/``, ``SHA256SUMS``,
  ``datapackage.json``, the change log, the zip) and where published releases live;
* :mod:`~kachin_events.release.semver`: version numbers and bump kinds;
* :mod:`~kachin_events.release.diff`: what changed between two releases, and the bump it needs;
* :mod:`~kachin_events.release.notes`: a diff as text, JSON or Markdown (the change log);
* :mod:`~kachin_events.release.versioning`: which version a new release may take;
* :mod:`~kachin_events.release.descriptor`: the release's ``datapackage.json``;
* :mod:`~kachin_events.release.build`: building a release, step by step;
* :mod:`~kachin_events.release.verify`: checking a release folder, step by step;
* :mod:`~kachin_events.release.registry`: the registry of published releases shipped
  with the package;
* :mod:`~kachin_events.release.published`: the published releases with their dates,
  sizes and hashes, and the check that they never change;
* :mod:`~kachin_events.release.history`: every published release of one event.

Nothing is imported here, so that importing one module stays cheap.
"""
