"""Row locks live in one place per app (issue 19): ``select_for_update`` is called only in a
``lock_objects.py`` module, whose helpers take ids and lock several rows in pk order."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "authentication",
    "marketplace",
    "payment_system",
    "chat",
    "ar",
    "notifications",
    "infrastructure",
    "designiaBackend",
]


def _source_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = set(path.relative_to(ROOT).parts)
            if not parts & {"tests", "migrations"}:
                yield path


def _lock_calls(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "select_for_update"
    ]


def test_select_for_update_is_called_only_in_lock_objects_modules():
    outside = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in _source_files()
        if path.name != "lock_objects.py"
        for line in _lock_calls(path)
    }
    assert outside == set(), "lock rows through the app's lock_objects.py helpers"


def test_every_app_that_locks_rows_has_its_lock_module():
    modules = {str(path.relative_to(ROOT)) for path in _source_files() if path.name == "lock_objects.py"}
    assert modules == {
        "authentication/lock_objects.py",
        "marketplace/lock_objects.py",
        "payment_system/lock_objects.py",
        "chat/lock_objects.py",
        "ar/lock_objects.py",
        "notifications/lock_objects.py",
    }
    assert all(_lock_calls(ROOT / module) for module in modules)
