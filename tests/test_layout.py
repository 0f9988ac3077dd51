"""The layout by layer: the core imports no adapter, view, session or CLI and pulls in no
device, model or speech library; --help stays light; the runtime package never needs a
test-only library; the README's map of the layout matches the tree."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = sorted((ROOT / "interviewer" / "core").glob("*.py"))
HEAVY = ("sounddevice", "pyttsx3", "faster_whisper", "ctranslate2", "onnxruntime", "av")
# The layers above the core: nothing in interviewer/core may import them.
NOT_CORE = tuple(
    f"interviewer.{name}"
    for name in ("adapters", "views", "session", "cli", "live", "reanalyze", "review_cli")
)


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Every module `path` imports, at the top or inside a function, relative ones resolved."""
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from interviewer import cli` imports interviewer.cli: count both spellings.
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _forbidden(name: str) -> bool:
    return any(name == bad or name.startswith(bad + ".") for bad in NOT_CORE)


def test_the_import_reader_sees_every_kind_of_import(tmp_path: Path) -> None:
    pkg = tmp_path / "interviewer" / "core"
    pkg.mkdir(parents=True)
    src = pkg / "x.py"
    src.write_text(
        "import numpy\nfrom interviewer import cli\nfrom ..adapters import store\n"
        "def f():\n    import interviewer.session\n    from .star import a\n"
    )
    found = imported_modules(src, tmp_path)
    assert {"numpy", "interviewer.cli", "interviewer.adapters.store"} <= found
    assert {"interviewer.session", "interviewer.core.star"} <= found
    assert sorted(filter(_forbidden, found)) == [
        "interviewer.adapters",
        "interviewer.adapters.store",
        "interviewer.cli",
        "interviewer.session",
    ]


def test_core_modules_exist() -> None:
    names = {p.stem for p in CORE}
    assert {"star", "metrics", "endpoint", "pauses", "feedback", "coaching"} <= names


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.stem)
def test_core_imports_no_adapter_view_session_or_cli(path: Path) -> None:
    assert sorted(filter(_forbidden, imported_modules(path))) == []


def _loaded_after(code: str, watch: tuple[str, ...] = HEAVY) -> set[str]:
    script = f"{code}\nimport sys\nprint(' '.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return {m for m in out if m.split(".")[0] in watch or m.startswith(watch)}


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.stem)
def test_core_module_pulls_in_nothing_heavy_and_no_other_layer(path: Path) -> None:
    """What it imports at load time, transitively: no device, model or speech library."""
    assert _loaded_after(f"import {_module_name(path)}", HEAVY + NOT_CORE) == set()


def test_cli_help_imports_nothing_heavy() -> None:
    code = (
        "import contextlib, io\nfrom interviewer import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        cli.main(['--help'])\n    except SystemExit:\n        pass"
    )
    assert _loaded_after(code) == set()


def test_the_package_needs_no_test_only_library() -> None:
    """jiwer scores transcripts in tests and scripts (tests/wer_tools.py), never at run time."""
    package = sorted((ROOT / "interviewer").rglob("*.py"))
    used = set().union(*(imported_modules(p) for p in package))
    assert {m for m in used if m.split(".")[0] in ("jiwer", "tests", "pytest")} == set()


def readme_map() -> set[str]:
    """Paths (`core/star.py`, `views/`) in the README's layout map, from its indentation."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```text\ninterviewer/\n", 1)[1].split("```", 1)[0]
    paths: set[str] = set()
    folders: list[str] = []
    for line in block.splitlines():
        indent = (len(line) - len(line.lstrip(" "))) // 2 - 1
        name = line.split()[0]
        folders = folders[:indent]
        paths.add("".join(folders) + name)
        if name.endswith("/"):
            folders.append(name)
    return paths


def package_tree() -> set[str]:
    """Modules and folders of the package; a folder under data/ is the data's own business."""
    package = ROOT / "interviewer"
    found: set[str] = set()
    for path in package.rglob("*"):
        rel = path.relative_to(package).as_posix()
        if "__pycache__" in rel or path.name == "__init__.py" or rel.startswith("data/"):
            continue
        if path.is_dir():
            found.add(rel + "/")
        elif path.suffix == ".py":
            found.add(rel)
    return found


def test_the_readme_map_matches_the_tree() -> None:
    mapped, tree = readme_map(), package_tree()
    assert {"core/", "core/star.py", "adapters/store.py", "cli.py"} <= mapped
    assert sorted(tree - mapped) == [], "in the package, missing from the README's map"
    assert sorted(mapped - tree) == [], "in the README's map, not in the package"


def test_every_module_has_its_test_file() -> None:
    """Tests mirror modules: interviewer/<layer>/<name>.py is tested in tests/test_<name>.py."""
    modules = [
        p
        for p in (ROOT / "interviewer").rglob("*.py")
        if p.name not in ("__init__.py", "__main__.py") and "__pycache__" not in p.parts
    ]
    assert len(modules) > 30
    missing = [
        p.relative_to(ROOT).as_posix()
        for p in modules
        if not (ROOT / "tests" / f"test_{p.stem}.py").exists()
    ]
    assert missing == []
