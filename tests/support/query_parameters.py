"""The query parameters Rounds reads, found in its own source, and the endpoints that read them.

Read from the code, not listed by hand, so a parameter added tomorrow is fuzzed tomorrow:
``request.args.get("name")``, ``request.args["name"]``, ``request.args.getlist("name")`` (and
the same on ``request.values``), a key that loops over a constant tuple of names, and a form
built from ``request.args`` (its field names). A use whose names cannot be read (the whole of
``request.args`` handed to something that is not a form, a key computed at run time) is listed
in ``unnamed``, so a test can refuse it rather than silently fuzz less.

Which endpoint reads what is worked out by name: a view reads what it reads itself and what
every function it names (calls or passes on) reads, transitively. Same-named functions are
merged, so the map errs towards more endpoints, never fewer. Request hooks, error handlers and
the sign-in handler run for any endpoint, as do templates: what they read counts everywhere.
"""

import ast
import importlib
import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path

from wtforms.fields.core import UnboundField

import rounds

PACKAGE = Path(rounds.__file__).parent
TEMPLATES = PACKAGE.parent / "templates"
QUERY_SOURCES = frozenset({"args", "values"})  # request.values holds the query string too
TEMPLATE_READ = re.compile(
    r"request\.(?:args|values)(?:\.get(?:list)?\(\s*['\"](\w+)['\"]|\[\s*['\"](\w+)['\"]\s*\])?"
)


@dataclass
class Discovery:
    """What the source reads from query strings."""

    reads: dict[str, set[str]] = field(default_factory=dict)  # function name -> parameters
    names: dict[str, set[str]] = field(default_factory=dict)  # function name -> names it uses
    everywhere: set[str] = field(default_factory=set)  # read by templates
    unnamed: list[str] = field(default_factory=list)  # "file:line" of uses not understood

    @property
    def parameters(self) -> set[str]:
        """Every parameter name read anywhere."""
        return set().union(self.everywhere, *self.reads.values())

    def read_by(self, function: str) -> set[str]:
        """What ``function`` reads itself or through the functions it names, transitively."""
        seen, todo, found = set(), [function], set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            found |= self.reads.get(name, set())
            todo.extend(self.names.get(name, set()) & (self.reads.keys() | self.names.keys()))
        return found


def discover(package: Path = PACKAGE, templates: Path = TEMPLATES) -> Discovery:
    """Read every module of ``package`` and every template for query-string reads."""
    found = Discovery()
    for path in sorted(package.rglob("*.py")):
        module_name = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        module_name = module_name.removesuffix(".__init__")
        _Reader(found, module_name, path, package.parent).read()
    for path in sorted(templates.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_READ.finditer(text):
            if name := match.group(1) or match.group(2):
                found.everywhere.add(name)
            else:
                line = text.count("\n", 0, match.start()) + 1
                found.unnamed.append(f"{path.relative_to(templates.parent).as_posix()}:{line}")
    return found


def parameters_by_endpoint(app, found: Discovery) -> dict[str, set[str]]:
    """Each endpoint of ``app`` and the query parameters a request to it may read."""
    everywhere = set(found.everywhere)
    for function in _hooks(app):
        everywhere |= found.read_by(function.__name__)
    answer = {}
    for endpoint, view in app.view_functions.items():
        view = inspect.unwrap(view)
        own = found.read_by(view.__name__) if view.__module__.startswith("rounds") else set()
        answer[endpoint] = own | everywhere
    return answer


def _hooks(app):
    """Functions that may run on a request to any endpoint."""
    for registry in (
        app.before_request_funcs,
        app.after_request_funcs,
        app.teardown_request_funcs,
        app.url_value_preprocessors,
        app.template_context_processors,
    ):
        for functions in registry.values():
            yield from (inspect.unwrap(f) for f in functions)
    for by_code in app.error_handler_spec.values():
        for handlers in by_code.values():
            yield from (inspect.unwrap(f) for f in handlers.values())
    login_manager = app.login_manager
    for hook in (
        login_manager.unauthorized_callback,
        getattr(login_manager, "_user_callback", None),
    ):
        if hook is not None:
            yield inspect.unwrap(hook)


class _Reader(ast.NodeVisitor):
    """Reads one module: its query-string reads and the names each function uses."""

    def __init__(self, found: Discovery, module_name: str, path: Path, root: Path):
        self.found, self.module_name = found, module_name
        self.where = path.relative_to(root).as_posix()
        self.tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.functions: list[tuple[str, set[str], set[str]]] = []  # name, names used, locals

    def read(self) -> None:
        self._enter("<module>", set())
        self.visit(self.tree)
        self._leave()

    @property
    def module(self):
        """The module itself, imported only to look up a name (never a whole package's worth:
        some modules, such as the production entry point, act when imported)."""
        return importlib.import_module(self.module_name)

    def _enter(self, name: str, arguments: set[str]) -> None:
        self.functions.append((name, set(), set(arguments)))

    def _leave(self) -> None:
        """A local variable (``patient = ...``) is not the function of that name."""
        name, used, local = self.functions.pop()
        self.found.names.setdefault(name, set()).update(used - local)

    def visit_FunctionDef(self, node) -> None:
        self.functions[-1][1].add(node.name)  # a closure is named where it is defined
        arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
        arguments += [a for a in (node.args.vararg, node.args.kwarg) if a is not None]
        self._enter(node.name, {a.arg for a in arguments})
        self.generic_visit(node)
        self._leave()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Name(self, node: ast.Name) -> None:
        _name, used, local = self.functions[-1]
        (used if isinstance(node.ctx, ast.Load) else local).add(node.id)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):  # module.function(), object.method()
            self.functions[-1][1].add(node.func.attr)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        is_query = (
            node.attr in QUERY_SOURCES
            and isinstance(node.value, ast.Name)
            and node.value.id == "request"
        )
        if is_query:
            names = self._names_read(node)
            if names:
                self.found.reads.setdefault(self.functions[-1][0], set()).update(names)
            else:
                self.found.unnamed.append(f"{self.where}:{node.lineno}")
        self.generic_visit(node)

    def _names_read(self, query: ast.Attribute) -> set[str]:
        """The parameter names one use of ``request.args`` reads; empty if not understood."""
        parent = self.parents[query]
        if isinstance(parent, ast.Attribute) and parent.attr in {"get", "getlist"}:
            call = self.parents[parent]
            if isinstance(call, ast.Call) and call.func is parent and call.args:
                return self._key_names(call.args[0])
        if isinstance(parent, ast.Subscript) and parent.value is query:
            return self._key_names(parent.slice)
        if isinstance(parent, ast.Call) and query in parent.args:
            return self._form_fields(parent.func)
        return set()

    def _key_names(self, key: ast.expr) -> set[str]:
        """A constant key, or a loop variable over a constant tuple of names."""
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return {key.value}
        if not isinstance(key, ast.Name):
            return set()
        node = key
        while node in self.parents:
            node = self.parents[node]
            loops = [node] if isinstance(node, (ast.For, ast.AsyncFor)) else []
            loops += getattr(node, "generators", [])  # comprehensions
            for loop in loops:
                if isinstance(loop.target, ast.Name) and loop.target.id == key.id:
                    return self._constant_names(loop.iter)
        return set()

    def _constant_names(self, node: ast.expr) -> set[str]:
        """The strings of a literal tuple or list, or of a module constant holding one."""
        if isinstance(node, ast.Name):
            value = getattr(self.module, node.id, None)
        else:
            try:
                value = ast.literal_eval(node)
            except ValueError:
                return set()
        if isinstance(value, (tuple, list, set, frozenset)) and all(
            isinstance(v, str) for v in value
        ):
            return set(value)
        return set()

    def _form_fields(self, func: ast.expr) -> set[str]:
        """The field names of the form class ``func`` names, as this module sees it."""
        form_class = None
        if isinstance(func, ast.Name):
            form_class = getattr(self.module, func.id, None)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            form_class = getattr(getattr(self.module, func.value.id, None), func.attr, None)
        if not inspect.isclass(form_class):
            return set()
        return {
            name
            for name in dir(form_class)
            if isinstance(getattr(form_class, name, None), UnboundField)
        }
