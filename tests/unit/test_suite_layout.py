"""The suite stays arranged by need: test modules live in the five folders, share helpers
only through tests/support/, and never import one another."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
FOLDERS = {"unit", "app", "live", "browser", "production"}


def modules_of_tests() -> list[Path]:
    return sorted(TESTS.rglob("test_*.py"))


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, by dotted name."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_every_test_module_is_in_a_folder_of_what_it_needs():
    misplaced = [
        str(p.relative_to(TESTS)) for p in modules_of_tests() if p.parent.name not in FOLDERS
    ]
    assert misplaced == []


def test_no_test_module_imports_another_or_the_conftest():
    leaks = {
        str(path.relative_to(TESTS)): sorted(
            name
            for name in imported_modules(path)
            if name.startswith("tests") and not name.startswith("tests.support")
        )
        for path in modules_of_tests()
    }
    assert {path: names for path, names in leaks.items() if names} == {}
