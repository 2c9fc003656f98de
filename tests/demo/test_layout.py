"""The demonstration data is an app of its own, on top: the foundation package and the
domain apps never import it, so ``marketplace/`` is only what every app stands on."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_app_imports_the_demo():
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for app in ("marketplace", "sellers", "catalog", "orders", "policy")
        for path in (ROOT / app).rglob("*.py")
        for name in _imported_modules(path)
        if name == "demo" or name.startswith("demo.")
    ]
    assert offenders == []


def test_the_foundation_package_holds_no_demo_code():
    leftovers = [p.name for p in (ROOT / "marketplace").rglob("*.py") if "demo" in p.name]
    assert leftovers == []
