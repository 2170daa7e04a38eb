"""The package's imports run one way: front ends (command line, API, the lint run they
share, batch, reporters, render, fix's command) over the selection (config, targets,
engine), over the rules and repairs, over the model and loaders. Read from the source
with ``ast``, so that a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "assetlint"

FRONT_ENDS = (
    "assetlint.cli",
    "assetlint.api",
    "assetlint.runner",
    "assetlint.batch",
    "assetlint.watch",
    "assetlint.reporters",
    "assetlint.render",
    "assetlint.fix.cli",
    "assetlint.docs",
)
SELECTION = ("assetlint.selection", "assetlint.config", "assetlint.targets", "assetlint.engine")
RULES = ("assetlint.rules", "assetlint.fix", "assetlint.summary", "assetlint.plugins")
MODEL = (
    "assetlint.model",
    "assetlint.findings",
    "assetlint.arrays",
    "assetlint.geometry",
    "assetlint.analysis",
    "assetlint.loaders",
    "assetlint.writers",
)


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports(name: str, path: Path, known: dict[str, Path], top_level: bool) -> set[str]:
    """The assetlint modules ``name`` imports (at module level only, or anywhere)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    nodes = [n for n in tree.body if not isinstance(n, ast.If)] if top_level else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found |= {
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            }
    out = set()
    for module in found:
        while module not in known and "." in module:
            module = module.rsplit(".", 1)[0]
        if module in known and module != name:
            out.add(module)
    return out


def under(module: str, layer: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in layer)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_module_level_imports_have_no_cycle():
    known = modules()
    graph = {m: imports(m, p, known, top_level=True) for m, p in known.items()}
    assert cycles(graph) == []


def test_no_lower_layer_imports_a_higher_one():
    known = modules()
    wrong = []
    for name, path in sorted(known.items()):
        if name in ("assetlint", "assetlint.__main__") or under(name, FRONT_ENDS):
            continue
        above = FRONT_ENDS
        if under(name, RULES + MODEL):
            above += SELECTION
        if under(name, MODEL):
            above += ("assetlint.rules", "assetlint.fix")
        wrong += [
            (name, dep)
            for dep in sorted(imports(name, path, known, top_level=False))
            if under(dep, above)
        ]
    assert wrong == []


def test_the_walk_sees_a_lazy_import():
    known = modules()
    engine = imports("assetlint.engine", known["assetlint.engine"], known, top_level=False)
    assert {"assetlint.rules", "assetlint.fix"} <= engine
    top = imports("assetlint.engine", known["assetlint.engine"], known, top_level=True)
    assert "assetlint.fix" not in top


def private_reads(name: str, source: str, known: dict[str, Path], package: str) -> list[str]:
    """The other modules' underscore names that ``name`` imports or reads as a module's
    attribute. A name ``_x`` belongs to the module or package that defines it and may be
    used there and in that package's submodules (``loaders._refs`` by every loader), nowhere
    else (``from assetlint.loaders.gltf import _Reader``, ``batch.loaders._refs``)."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}  # local name -> the assetlint module it is bound to
    dotted: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                dotted.append(a.name)
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    aliases[a.name.split(".")[0]] = a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for a in node.names:
                dotted.append(f"{base}.{a.name}")
                if f"{base}.{a.name}" in known:
                    aliases[a.asname or a.name] = f"{base}.{a.name}"
    for node in ast.walk(tree):
        chain: list[str] = []
        current: ast.AST = node
        while isinstance(current, ast.Attribute):
            chain.insert(0, current.attr)
            current = current.value
        if chain and isinstance(current, ast.Name) and current.id in aliases:
            dotted.append(".".join([aliases[current.id], *chain]))
    wrong = []
    for full in dotted:
        if not full.startswith("assetlint."):
            continue
        parts = full.split(".")
        for k, part in enumerate(parts):
            if part.startswith("_") and not part.startswith("__"):
                owner = ".".join(parts[:k])
                if name != owner and not name.startswith(owner + "."):
                    wrong.append(".".join(parts[: k + 1]))
                break
    return sorted(set(wrong))


def test_no_module_reads_another_modules_underscore_names():
    known = modules()
    wrong = {}
    for name, path in sorted(known.items()):
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found = private_reads(name, path.read_text(encoding="utf-8"), known, package)
        if found:
            wrong[name] = found
    assert wrong == {}


def test_the_private_scan_sees_imports_and_attribute_reads():
    known = modules()
    source = (
        "from assetlint.loaders.gltf import _Reader\n"
        "from assetlint.loaders._refs import within\n"
        "from assetlint import loaders\n"
        "import assetlint.rules as r\n"
        "x = loaders._refs.open_regular\n"
        "y = r._name_problem\n"
        "z = loaders.load\n"
    )
    found = private_reads("assetlint.batch", source, known, "assetlint")
    assert found == [
        "assetlint.loaders._refs",
        "assetlint.loaders.gltf._Reader",
        "assetlint.rules._name_problem",
    ]
    # the same imports are the loaders' own business
    inside = private_reads("assetlint.loaders.obj", source, known, "assetlint.loaders")
    assert inside == ["assetlint.loaders.gltf._Reader", "assetlint.rules._name_problem"]


def test_front_ends_share_the_run_not_each_other_nor_the_rules_internals():
    """The API lints through the shared run, not the command line; the renders draw the
    findings, never computing topology or reading a rule's memo."""
    known = modules()

    def uses(name: str) -> set[str]:
        return imports(name, known[name], known, top_level=False)

    for name in ("assetlint.api", "assetlint.runner", "assetlint.reporters.html"):
        assert "assetlint.cli" not in uses(name), name
    assert "assetlint.runner" in uses("assetlint.api") & uses("assetlint.cli")
    assert "assetlint.runner" in uses("assetlint.render") & uses("assetlint.fix.cli")
    assert not {"assetlint.geometry.topology", "assetlint.batch"} & uses("assetlint.render.marks")
    assert ".cache" not in (PACKAGE / "render" / "marks.py").read_text(encoding="utf-8")
