"""The reference pages: the CLI (from the click commands), the Python API and module
documentation (from docstrings), and the release notes of the current data (built with
``kachin-events build``) with the release registry.

No mkdocs-specific code here: every function returns Markdown.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import click
from kachin_events.codebook import code, markdown_table
from kedocs_content import DirectiveError

# -- CLI ------------------------------------------------------------------------------------


def walk_commands(group, prog="kachin-events"):
    """Yield (path, command, context) for the group and every command below it.

    Contexts are made as the command line makes them (``make_context``), so the
    commands' ``context_settings`` (``-h``, the help width) apply, and with
    ``resilient_parsing`` so required options do not stop the walk.
    """
    root_ctx = group.make_context(prog, [], resilient_parsing=True)

    def _walk(cmd, ctx, path):
        yield path, cmd, ctx
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is None or sub.hidden:
                    continue
                sub_ctx = sub.make_context(name, [], parent=ctx, resilient_parsing=True)
                yield from _walk(sub, sub_ctx, [*path, name])

    yield from _walk(group, root_ctx, [prog])


def _param_type(p) -> str:
    if isinstance(p.type, click.Choice):
        return " \\| ".join(f"`{c}`" for c in p.type.choices)
    if getattr(p, "is_flag", False):
        return "flag"
    return p.type.name


def _esc(text) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


_MD_SPECIAL = re.compile(r"([\\*_<>\[\]])")


def _md_text(text: str) -> str:
    """Help text as Markdown: `code spans` kept, Markdown's special characters escaped elsewhere."""
    parts = re.split(r"(`[^`]+`)", " ".join(text.split()))
    return "".join(p if p.startswith("`") else _MD_SPECIAL.sub(r"\\\1", p) for p in parts)


def help_sections(cmd) -> tuple[list[str], list[str]]:
    """A command's help as (paragraphs, example command lines).

    click's help text is paragraphs separated by blank lines; a paragraph that starts with
    ``\\b`` is printed without rewrapping, and the one headed ``Examples:`` holds one command
    per line. The examples come back apart so the page can show them as a shell block.
    """
    paragraphs, examples = [], []
    for block in re.split(r"\n\s*\n", inspect.cleandoc(cmd.help or "")):
        lines = [ln for ln in block.splitlines() if ln.strip() != "\b"]
        if not lines:
            continue
        if lines[0].strip() == "Examples:":
            examples += [ln.strip() for ln in lines[1:] if ln.strip()]
        elif block.lstrip().startswith("\b"):  # kept as printed
            paragraphs.append("```text\n" + textwrap.dedent("\n".join(lines)) + "\n```")
        else:
            paragraphs.append(_md_text("\n".join(lines)))
    return paragraphs, examples


def _options_table(cmd, ctx) -> str:
    rows = []
    for p in cmd.get_params(ctx):
        if isinstance(p, click.Argument):
            name = f"`{p.human_readable_name}`"
            kind = "argument" + (" (any number)" if p.nargs == -1 else "")
            help_ = ""
        else:
            name = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
            kind = "option"
            help_ = p.help or ""
        default = ""
        if not isinstance(p, click.Argument) and p.show_default and p.default not in (None, False, ()):
            default = f"`{p.default}`"
        rows.append([name, kind, _param_type(p), "yes" if p.required else "no", default, _esc(help_)])
    if not rows:
        return ""
    return "\n".join(["| Name | Kind | Type | Required | Default | Help |", "| --- | --- | --- | --- | --- | --- |",
                      *("| " + " | ".join(r) + " |" for r in rows)]) + "\n"


def render_cli(group, prog="kachin-events") -> str:
    """Markdown for every command, once: usage, help text, examples, then a table of its arguments and options.

    The help text and the table come from the same click objects ``--help`` prints, so the
    page says what the command line says; the options are given once, in the table (the
    ``Options:`` list ``--help`` prints would repeat them).
    """
    parts = [
        "# CLI reference", "",
        f"Generated from the click commands of `{prog}` (`kachin_events.cli`): the same text as "
        f"`{prog} COMMAND --help`, with the options as a table.", "",
    ]
    commands = list(walk_commands(group, prog))
    parts += ["| Command | What it does |", "| --- | --- |"]
    for path, cmd, _ctx in commands:
        anchor = "-".join(path)
        parts.append(f"| [`{' '.join(path)}`](#{anchor}) | {_esc(cmd.get_short_help_str(limit=120))} |")
    parts.append("")
    for path, cmd, ctx in commands:
        anchor = "-".join(path)
        paragraphs, examples = help_sections(cmd)
        if not examples:
            raise DirectiveError(f"`{' '.join(path)}` has no Examples: in its help; every command shows one")
        parts += [f"## {' '.join(path)} {{#{anchor}}}", "", "```text", ctx.get_usage(), "```", ""]
        for para in paragraphs:
            parts += [para, ""]
        parts += ["**Examples**", "", "```bash", *examples, "```", ""]
        table = _options_table(cmd, ctx)
        if table:
            parts += ["**Arguments and options**", "", '<div class="ke-options" markdown>', "", table, "", "</div>"]
    return "\n".join(parts).rstrip() + "\n"


# -- Python API -----------------------------------------------------------------------------
SECTIONS = ("Parameters", "Returns", "Yields", "Raises", "Attributes", "Examples", "Notes",
            "See Also", "Warns", "Other Parameters", "References")
_LIST_SECTIONS = {"Parameters", "Returns", "Yields", "Raises", "Attributes", "Warns", "Other Parameters"}


def rst_to_md(text: str) -> str:
    """The reStructuredText bits docstrings use, as Markdown: ``code`` and :role:`target`."""
    text = re.sub(r":(?:func|class|mod|meth|data|attr|exc|obj):`~?([^`]+)`",
                  lambda m: f"`{m.group(1)}`", text)
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    return text


def parse_numpy(doc: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """Split a NumPy-style docstring into (summary text, [(section, lines)])."""
    lines = inspect.cleandoc(doc or "").splitlines()
    intro: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    i = 0
    current = intro
    while i < len(lines):
        line = lines[i]
        if (line.strip() in SECTIONS and i + 1 < len(lines)
                and re.fullmatch(r"-{3,}", lines[i + 1].strip())):
            body: list[str] = []
            sections.append((line.strip(), body))
            current = body
            i += 2
            continue
        current.append(line)
        i += 1
    return "\n".join(intro).strip(), [(name, body) for name, body in sections]


def _items(body: list[str]) -> list[tuple[str, str, str]]:
    """(name, type, description) items of a Parameters-like section."""
    items: list[list] = []
    for line in body:
        if not line.strip():
            if items:
                items[-1][2].append("")
            continue
        if not line.startswith((" ", "\t")):
            name, _, typ = line.partition(" : ")
            items.append([name.strip(), typ.strip(), []])
        elif items:
            items[-1][2].append(line.strip())
    out = []
    for name, typ, desc in items:
        text = " ".join(d if d else "\n" for d in desc)
        text = re.sub(r"\s*\n\s*", " ", text).strip()
        out.append((name, typ, text))
    return out


def _examples(body: list[str]) -> str:
    """An Examples section: its prose as text, each doctest block as a ``pycon`` code block."""
    text = textwrap.dedent("\n".join(body)).strip("\n")
    if not text:
        return ""
    # rst_to_md only outside the code blocks: a doctest's ``text`` stays as written.
    parts = re.split(r"(```pycon\n.*?\n```)", _literal_blocks(text), flags=re.S)
    return "".join(p if p.startswith("```") else rst_to_md(p) for p in parts)


def render_docstring(doc: str, level: int) -> str:
    """A NumPy-style docstring as Markdown (sections as bold headings, items as tables)."""
    intro, sections = parse_numpy(doc)
    parts = []
    if intro:
        parts += [rst_to_md(_literal_blocks(intro)), ""]
    for name, body in sections:
        parts.append(f"**{name}**")
        parts.append("")
        if name == "Examples":
            parts += [_examples(body), ""]
        elif name in _LIST_SECTIONS:
            items = _items(body)
            named = name in ("Parameters", "Attributes", "Other Parameters")
            if named:
                parts += ["| Name | Type | Description |", "| --- | --- | --- |"]
                parts += [f"| `{_esc(n)}` | {_esc(rst_to_md(t))} | {_esc(rst_to_md(d))} |" for n, t, d in items]
            else:
                parts += ["| Type | Description |", "| --- | --- |"]
                # "Returns" items are "type" alone or "name : type".
                parts += [f"| {_esc(rst_to_md(t or n))} | {_esc(rst_to_md(d))} |" for n, t, d in items]
            parts.append("")
        else:
            parts += [rst_to_md(_literal_blocks(textwrap.dedent("\n".join(body)).strip())), ""]
    return "\n".join(parts).rstrip() + "\n"


def _literal_blocks(text: str) -> str:
    """Doctest lines (``>>>`` and what follows up to a blank line) become code blocks."""
    out, block = [], []
    for line in text.splitlines():
        if line.startswith(">>>") or (block and line.strip()):
            block.append(line)
            continue
        if block:
            out += ["```pycon", *block, "```"]
            block = []
        out.append(line)
    if block:
        out += ["```pycon", *block, "```"]
    return "\n".join(out)


def _comment_doc(module, name: str) -> str:
    """The ``#:`` comment lines just above ``name = ...`` (or ``name: T = ...``) in a module."""
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return ""
    lines = source.splitlines()
    tree = ast.parse(source)
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        if name in targets:
            doc = []
            j = node.lineno - 2
            while j >= 0 and lines[j].lstrip().startswith("#:"):
                doc.insert(0, lines[j].lstrip()[2:].strip())
                j -= 1
            return " ".join(doc)
    return ""


def _param(p: inspect.Parameter) -> str:
    """A parameter as written in the source (string annotations unquoted)."""
    text = str(p)
    if isinstance(p.annotation, str):
        text = text.replace(f": {p.annotation!r}", f": {p.annotation}", 1)
    return text


def _signature(obj, name: str, *, is_class: bool = False) -> str:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return name
    params, seen_kwonly = [], False
    plist = list(sig.parameters.values())
    for i, p in enumerate(plist):
        if p.kind is p.KEYWORD_ONLY and not seen_kwonly and not any(q.kind is q.VAR_POSITIONAL for q in plist):
            params.append("*")
        if p.kind is p.KEYWORD_ONLY:
            seen_kwonly = True
        params.append(_param(p))
        if p.kind is p.POSITIONAL_ONLY and (i + 1 == len(plist) or plist[i + 1].kind is not p.POSITIONAL_ONLY):
            params.append("/")
    ret = ""
    if not is_class and sig.return_annotation is not inspect.Signature.empty:
        ann = sig.return_annotation
        ret = f" -> {ann if isinstance(ann, str) else inspect.formatannotation(ann)}"
    text = f"{name}({', '.join(params)}){ret}"
    if len(text) > 90:
        text = f"{name}(\n" + "".join(f"    {p},\n" for p in params) + f"){ret}"
    return text


def _members(cls) -> list[tuple[str, object, str]]:
    out = []
    for name, value in cls.__dict__.items():
        if name.startswith("_"):
            continue
        if isinstance(value, property):
            out.append((name, value, "property"))
        elif isinstance(value, (staticmethod, classmethod)):
            out.append((name, value.__func__, "method"))
        elif inspect.isfunction(value):
            out.append((name, value, "method"))
    return out


def api_anchor(qualname: str) -> str:
    """The heading id of an API object: ``kachin_events.__version__`` -> ``kachin_events-version``."""
    return "-".join(part.strip("_") or part for part in qualname.lower().split("."))


def render_object(qualname: str, obj, module_name: str, level: int = 2) -> str:
    """One public object: heading, signature, where it is defined, and its docstring."""
    h = "#" * level
    anchor = api_anchor(qualname)
    parts = [f"{h} `{qualname}` {{#{anchor}}}", ""]
    if inspect.isclass(obj):
        parts += ["```python", f"class {_signature(obj, obj.__name__, is_class=True)}", "```", ""]
        parts += [f"*Class, defined in `{obj.__module__}`.*", ""]
        parts.append(render_docstring(obj.__doc__ or "", level))
        for name, member, kind in _members(obj):
            parts += [f"{h}# `{obj.__name__}.{name}` {{#{anchor}-{name.lower()}}}", ""]
            if kind == "property":
                parts += [f"*Property.* {rst_to_md(inspect.cleandoc(member.__doc__ or ''))}".rstrip(), ""]
            else:
                parts += ["```python", _signature(member, name), "```", ""]
                doc = member.__doc__
                parts.append(render_docstring(doc, level + 1) if doc else "")
    elif inspect.isfunction(obj) or inspect.isbuiltin(obj):
        parts += ["```python", _signature(obj, obj.__name__), "```", ""]
        parts += [f"*Function, defined in `{obj.__module__}`.*", ""]
        parts.append(render_docstring(obj.__doc__ or "(no docstring)", level))
    else:
        import importlib

        home = importlib.import_module(module_name)
        comment = _comment_doc(home, qualname.rsplit(".", 1)[-1])
        kind = type(obj).__name__
        if isinstance(obj, (tuple, list)) and len(obj) > 12:
            value = f"a {kind} of {len(obj)} {type(obj[0]).__name__} objects"
        else:
            value = f"`{obj!r}`"
        parts += [f"*Constant ({kind}), defined in `{module_name}`.* Value: {value}.", ""]
        if comment:
            parts += [rst_to_md(comment), ""]
    return "\n".join(p for p in parts).rstrip() + "\n"


def defining_module(package, name: str, lazy: dict | None) -> str:
    if lazy and name in lazy:
        return f"{package.__name__}.{lazy[name]}"
    obj = resolve(package, name, lazy)
    mod = getattr(obj, "__module__", None)
    if isinstance(mod, str) and mod.startswith(package.__name__):
        return mod
    return package.__name__ + (".__about__" if name == "__version__" else "")


def resolve(package, name: str, lazy: dict | None):
    """The object a public name stands for.

    Through the package's lazy table when it has one, so the page is built without
    touching the package attributes the lazy table has not resolved yet.
    """
    import importlib

    if lazy and name in lazy:
        return getattr(importlib.import_module(f"{package.__name__}.{lazy[name]}"), name)
    return getattr(package, name)


def render_api(package, extra: list[tuple[str, object, str]] = (), notes: dict | None = None) -> str:
    """Markdown for every name in ``package.__all__`` (and the ``extra`` objects).

    ``notes`` maps a name to Markdown added after its entry (links to other pages).
    """
    lazy = getattr(package, "_LAZY", None)
    names = list(package.__all__)
    parts = [
        "# Python API", "",
        f"Generated from the docstrings of the public API: every name in `{package.__name__}.__all__`. "
        f"Import them from the package itself (`import {package.__name__}`); the module named under each is "
        "where it is defined.", "",
        "| Name | Kind | Summary |", "| --- | --- | --- |",
    ]
    for name in names:
        obj = resolve(package, name, lazy)
        kind = "class" if inspect.isclass(obj) else "function" if callable(obj) else "constant"
        summary = (inspect.getdoc(obj) or "").split("\n\n")[0] if kind != "constant" else \
            _comment_doc(importlib.import_module(defining_module(package, name, lazy)), name)
        anchor = api_anchor(f"{package.__name__}.{name}")
        parts.append(f"| [`{name}`](#{anchor}) | {kind} | {_esc(rst_to_md(summary))} |")
    parts.append("")
    for name in names:
        obj = resolve(package, name, lazy)
        parts.append(render_object(f"{package.__name__}.{name}", obj, defining_module(package, name, lazy)))
        if notes and name in notes:
            parts += [notes[name], ""]
    if extra:
        parts += ["## Also used in this documentation", "",
                  "Not part of `__all__`, so their import path may change between versions.", ""]
        for qualname, obj, module_name in extra:
            parts.append(render_object(qualname, obj, module_name, level=3))
    return "\n".join(parts).rstrip() + "\n"


# -- releases ------------------------------------------------------------------------------------
def has_module(name: str) -> bool:
    """True when ``kachin_events.<name>`` exists (it is then imported, never skipped)."""
    return importlib.util.find_spec(f"kachin_events.{name}") is not None


def has_build() -> bool:
    from kachin_events.cli import cli

    return "build" in cli.commands


def quickstart_release(d, page: str = "index.md") -> str:
    """The two commands that build a release, and what they write.

    On the maintainer guide itself (``page`` is ``maintaining.md``, where this sits in the
    "Releasing" section) the pointer to that section is left out: it would link to itself.
    """
    from kedocs_content import rel

    if not has_build():
        return ("Releases are built by `kachin-events build`, which this version of the package does not "
                f"have yet; see [Releases]({rel(page, 'releases.md')}).\n")
    where = ("" if page == "maintaining.md" else
             f" See the [maintainer guide]({rel(page, 'maintaining.md#releasing')}).")
    return "\n".join([
        "```bash",
        "kachin-events validate                                  # the data must be valid first",
        f"kachin-events build --version {d.package['version']} --out releases",
        "```", "",
        f"This writes `releases/{d.package['version']}/` with the data package (`datapackage.json`), CSV and "
        f"Parquet files, the exports, `CHANGELOG.md` and `SHA256SUMS`.{where}",
    ]) + "\n"


def build_release(d) -> dict | None:
    """Build the current data with ``kachin-events build`` into a temporary folder; None without it."""
    if not has_build():
        return None
    if d._release is not None:
        return d._release
    version = d.package["version"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        proc = subprocess.run([sys.executable, "-m", "kachin_events", "build", "--version", version, "--out", tmp],
                              cwd=d.root, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            msg = (f"`kachin-events build --version {version}` failed (exit {proc.returncode}) while building "
                   f"the docs:\n{proc.stdout}\n{proc.stderr}")
            raise DirectiveError(msg)
        out = Path(tmp) / version
        changelog = (out / "CHANGELOG.md").read_text(encoding="utf-8") if (out / "CHANGELOG.md").is_file() else None
        from kachin_events.integrity import parse_sha256sums

        sums = (out / "SHA256SUMS").read_text(encoding="utf-8") if (out / "SHA256SUMS").is_file() else ""
        files = [(name, (out / name).stat().st_size if (out / name).is_file() else None, digest)
                 for name, digest in parse_sha256sums(sums).items()]
        d._release = {"version": version, "changelog": changelog, "files": files,
                      "command": f"kachin-events build --version {version} --out DIR"}
    return d._release


def releases_md(d) -> str:
    rel_ = build_release(d)
    parts = []
    if rel_ is None:
        parts += ["This version of the package has no release builder (`kachin-events build`), so no release "
                  f"notes can be generated. The statistics below are those of the current data (version "
                  f"{d.package['version']} in `datapackage.json`).", ""]
    else:
        parts += [f"The current data, built at documentation time with `{rel_['command']}`. Its release notes "
                  "(`CHANGELOG.md`, written by the build):", ""]
        if rel_["changelog"]:
            notes = re.sub(r"^(#{1,4}) ", lambda m: "##" + m.group(1) + " ", rel_["changelog"], flags=re.M)
            parts += ['<div class="ke-changelog" markdown>', "", notes.strip(), "", "</div>", ""]
        rows = [[code(n), "" if s is None else f"{s:,}", f"`{h[:16]}…`"] for n, s, h in rel_["files"]]
        parts += ["Files of the release, from its `SHA256SUMS`:", "",
                  markdown_table(["File", "Bytes", "SHA-256 (first 16 hex digits)"], rows), ""]
    return "\n".join(parts) + "\n"


def module_doc(name: str) -> str:
    """A module's docstring as Markdown; a note when the module does not exist (yet)."""
    if not has_module(name):
        return f"*(The module `kachin_events.{name}` is not part of this version of the package.)*\n"
    import importlib

    mod = importlib.import_module(f"kachin_events.{name}")
    return render_docstring(mod.__doc__ or "", 3)


def generated(data) -> dict[str, str]:
    """The reference pages: ``cli.md`` (from the click commands) and ``api.md`` (from docstrings)."""
    import kachin_events
    from kachin_events import codebook
    from kachin_events.cli import cli
    from kachin_events.tables import read_tables

    extra = [("kachin_events.tables.read_tables", read_tables, "kachin_events.tables")]
    extra += [(f"kachin_events.codebook.{name}", getattr(codebook, name), "kachin_events.codebook")
              for name in ("render_codebook", "render_mappings", "render_rules_guide", "csv_template")]
    notes = {
        "RULES": "Every rule, with its id, severity, description and fix, is listed in the "
                 "[table of validation rules](rules.md) and explained in the "
                 "[contributor guide](contributing.md#messages).",
        "TABLES": "Each table is defined in the [codebook](codebook.md#tables).",
    }
    return {"cli.md": render_cli(cli), "api.md": render_api(kachin_events, extra=extra, notes=notes)}

