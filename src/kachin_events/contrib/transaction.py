"""Changing several repository files at once, all or nothing.

``kachin-events add`` writes report files, the claimant registry and
``datapackage.json`` together: :func:`write_all_or_nothing` stages every file and
moves each into place, undoing every move if one fails; :func:`package_with_paths`
lists new files in their tables' resources.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..validation.read import display_path


def package_with_paths(package: Path, new_paths: dict[str, list[str]], notices: list[str]) -> bytes | None:
    """datapackage.json with the paths it lacks in their tables' resources (None: unchanged)."""
    text = package.read_text(encoding="utf-8")
    desc = json.loads(text)
    before = json.dumps(desc, indent=2, ensure_ascii=False) + "\n"
    for table, paths in new_paths.items():
        if not paths:
            continue
        res = next((r for r in desc["resources"] if r.get("name") == table), None)
        if res is None:
            msg = f"{display_path(package)} has no {table!r} resource to list {paths[0]} in"
            raise ValueError(msg)
        listed = res.get("path", [])
        listed = [listed] if isinstance(listed, str) else list(listed)
        keep_sorted = listed == sorted(listed)
        listed += [p for p in paths if p not in listed]
        res["path"] = sorted(listed) if keep_sorted else listed
    after = json.dumps(desc, indent=2, ensure_ascii=False) + "\n"
    if after == before:
        return None
    if before != text:
        notices.append(f"{display_path(package)} was not laid out as two-space JSON; it is rewritten so")
    return after.encode("utf-8")


def write_all_or_nothing(plan: list[tuple[Path, bytes, str]], package: Path, package_bytes: bytes | None) -> None:
    """Write every file, all or nothing: staged under data/.add-tmp-*, then moved into
    place with os.replace (datapackage.json last); on failure every change is undone."""
    import os
    import shutil
    import tempfile

    data = package.parent / "data"
    data.mkdir(exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".add-tmp-", dir=data))
    undo: list = []
    try:
        moves = [(path, content) for path, content, _ in plan]
        if package_bytes is not None:
            moves.append((package, package_bytes))
        staged = []
        for n, (path, content) in enumerate(moves):
            tmp = stage / f"{n}-{path.name}"
            tmp.write_bytes(content)
            if path.exists():
                backup = stage / f"{n}-{path.name}.orig"
                shutil.copy2(path, backup)
                os.chmod(tmp, path.stat().st_mode & 0o7777)
            staged.append((tmp, path))
        for tmp, path in staged:
            if not path.parent.exists():
                made = path.parent
                while not made.parent.exists():
                    made = made.parent
                path.parent.mkdir(parents=True)
                undo.append(lambda made=made: shutil.rmtree(made, ignore_errors=True))
            backup = tmp.with_name(tmp.name + ".orig")
            if backup.exists():
                undo.append(lambda backup=backup, path=path: os.replace(backup, path))
            else:
                undo.append(lambda path=path: path.unlink(missing_ok=True))
            os.replace(tmp, path)
    except BaseException:
        for step in reversed(undo):
            step()
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
