"""Modules with pydantic models evaluate their annotations as Python does by default.

Without `from __future__ import annotations` pydantic reads each field's annotation as an object;
with it, pydantic compiles and evaluates every annotation string when it creates the class, which
every cold start of every function pays for (benchmarks/coldstart.md). Such a module must then
quote, in function signatures, any name it imports only for type checking: a signature's
annotations are evaluated when the function is defined, nested functions included.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from pydantic import BaseModel

import handoff

PACKAGE = Path(handoff.__file__).parent
SKIPPED = ("handoff.local",)  # the local runtime: never deployed, imports moto


def _modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages([str(PACKAGE)], prefix="handoff.")
        if not info.name.startswith(SKIPPED)
    )


def _tree(module: str) -> ast.Module:
    path = PACKAGE.joinpath(*module.split(".")[1:])
    source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return ast.parse(source.read_text())


def _postpones_annotations(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.ImportFrom) and node.module == "__future__" for node in tree.body)


def _type_checking_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in ast.walk(node):
                if isinstance(child, ast.Import | ast.ImportFrom):
                    names |= {alias.asname or alias.name.split(".")[0] for alias in child.names}
    return names


def _signature_annotations(tree: ast.Module) -> list[tuple[int, ast.expr]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            parameters += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
            annotations = [p.annotation for p in parameters if p.annotation is not None]
            annotations += [node.returns] if node.returns is not None else []
            found += [(node.lineno, annotation) for annotation in annotations]
        if isinstance(node, ast.ClassDef):
            found += [(s.lineno, s.annotation) for s in node.body if isinstance(s, ast.AnnAssign)]
    return found


@pytest.mark.parametrize("module", _modules())
def test_model_modules_let_pydantic_read_annotations_as_objects(module: str) -> None:
    imported = importlib.import_module(module)
    models = [
        name
        for name, value in vars(imported).items()
        if inspect.isclass(value) and issubclass(value, BaseModel) and value.__module__ == module
    ]
    if models:
        assert not _postpones_annotations(_tree(module)), (
            f"{module} defines pydantic models ({', '.join(models[:3])}…): drop "
            "`from __future__ import annotations` there (see this test's docstring)"
        )


@pytest.mark.parametrize("module", _modules())
def test_names_imported_for_type_checking_are_quoted_where_evaluated(module: str) -> None:
    tree = _tree(module)
    if _postpones_annotations(tree):
        return
    only_for_checking = _type_checking_names(tree)
    unquoted = [
        f"line {line}: {ast.unparse(annotation)}"
        for line, annotation in _signature_annotations(tree)
        if not isinstance(annotation, ast.Constant)
        and {n.id for n in ast.walk(annotation) if isinstance(n, ast.Name)} & only_for_checking
    ]
    assert not unquoted, f"{module}: quote these annotations: {unquoted}"
