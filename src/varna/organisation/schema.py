"""A small schema language for policy profiles that reports errors with file, line and field.

PyYAML's composed node tree keeps the line of every value; validating the nodes (rather than
the loaded Python data) lets every message point to the exact place a municipality has to fix.
"""

import difflib
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.translation import gettext as _


class ProfileError(Exception):
    """A profile is invalid. `errors` holds every problem found, each naming file, line and field."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class Problem:
    line: int
    path: str
    message: str


class Context:
    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []

    def error(self, where: "yaml.Node | int | None", path: str, message: str) -> None:
        line = where.start_mark.line + 1 if isinstance(where, yaml.Node) else where or 1
        self.problems.append(Problem(line, path, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ProfileError(
                [
                    _("%(file)s, line %(line)s, field '%(field)s': %(message)s")
                    % {"file": self.filename, "line": p.line, "field": p.path or "/", "message": p.message}
                    for p in self.problems
                ]
            )


class Located(dict):
    """A validated mapping that remembers the line of itself and of each of its fields."""

    line: int = 1
    path: str = ""
    lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class LocatedList(list):
    """A validated list that remembers its line."""

    line: int = 1


class Type:
    def check(self, node: yaml.Node, path: str, ctx: Context) -> Any:  # pragma: no cover - interface
        raise NotImplementedError


def _scalar(node: yaml.Node) -> Any:
    return yaml.safe_load(yaml.serialize(node))


class Str(Type):
    def __init__(self, choices: tuple[str, ...] | None = None, pattern: str | None = None):
        self.choices = choices
        self.pattern = pattern

    def check(self, node, path, ctx):
        if not isinstance(node, yaml.ScalarNode):
            ctx.error(node, path, _("expected text"))
            return None
        value = _scalar(node)
        if value is None or isinstance(value, (dict, list)):
            ctx.error(node, path, _("expected text"))
            return None
        value = str(value)
        if self.choices and value not in self.choices:
            ctx.error(
                node,
                path,
                _("'%(value)s' is not one of: %(choices)s") % {"value": value, "choices": ", ".join(self.choices)},
            )
        if self.pattern:
            import re

            if not re.fullmatch(self.pattern, value):
                ctx.error(
                    node,
                    path,
                    _("'%(value)s' does not have the form %(pattern)s") % {"value": value, "pattern": self.pattern},
                )
        return value


class Int(Type):
    def __init__(self, minimum: int | None = None, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def check(self, node, path, ctx):
        value = _scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, int) or isinstance(value, bool):
            ctx.error(node, path, _("expected a whole number"))
            return None
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            ctx.error(
                node,
                path,
                _("%(value)s is outside %(min)s–%(max)s") % {"value": value, "min": self.minimum, "max": self.maximum},
            )
        return value


class Bool(Type):
    def check(self, node, path, ctx):
        value = _scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, bool):
            ctx.error(node, path, _("expected true or false"))
            return None
        return value


class Date(Type):
    def check(self, node, path, ctx):
        import datetime

        value = _scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, datetime.date):
            ctx.error(node, path, _("expected a date written YYYY-MM-DD"))
            return None
        return value


class List(Type):
    def __init__(self, item: Type, min_items: int = 0):
        self.item, self.min_items = item, min_items

    def check(self, node, path, ctx):
        if not isinstance(node, yaml.SequenceNode):
            ctx.error(node, path, _("expected a list"))
            return []
        if len(node.value) < self.min_items:
            ctx.error(node, path, _("needs at least %(n)s entries") % {"n": self.min_items})
        result = LocatedList(self.item.check(child, f"{path}[{i}]", ctx) for i, child in enumerate(node.value))
        result.line = node.start_mark.line + 1
        return result


class Any_(Type):
    def check(self, node, path, ctx):
        return _scalar(node)


class Unread(Type):
    """A section nothing reads (its area is not installed): accepted whatever it holds, and
    left out of the data (None)."""

    def check(self, node, path, ctx):
        return None


@dataclass
class F:
    type: Type
    required: bool = True
    default: Any = None


@dataclass
class Map(Type):
    fields: dict[str, F] = field(default_factory=dict)
    extra: Type | None = None  # for open mappings (e.g. check parameters)

    def check(self, node, path, ctx):
        if not isinstance(node, yaml.MappingNode):
            ctx.error(node, path, _("expected a mapping of fields"))
            return {}
        result = Located()
        result.line = node.start_mark.line + 1
        result.path = path
        result.lines = {}
        seen = set()
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            sub = f"{path}.{key}" if path else str(key)
            if key in seen:
                ctx.error(key_node, sub, _("is given twice"))
            seen.add(key)
            result.lines[key] = value_node.start_mark.line + 1
            spec = self.fields.get(key)
            if spec is None:
                if self.extra is not None:
                    result[key] = self.extra.check(value_node, sub, ctx)
                    continue
                hint = difflib.get_close_matches(str(key), list(self.fields), n=1)
                message = _("unknown field")
                if hint:
                    message += " " + _("(did you mean '%(hint)s'?)") % {"hint": hint[0]}
                ctx.error(key_node, sub, message)
                continue
            result[key] = spec.type.check(value_node, sub, ctx)
        for name, spec in self.fields.items():
            if name not in result:
                if spec.required:
                    ctx.error(node, f"{path}.{name}" if path else name, _("is required"))
                else:
                    result[name] = spec.default
        return result


I18N = Map({"sv": F(Str()), "en": F(Str())})


def parse(text: str, filename: str, spec: Type) -> tuple[Any, Context]:
    ctx = Context(filename)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ProfileError(
            [
                _("%(file)s, line %(line)s: not valid YAML (%(problem)s)")
                % {"file": filename, "line": line, "problem": getattr(exc, "problem", exc)}
            ]
        ) from exc
    if node is None:
        raise ProfileError([_("%(file)s: the file is empty") % {"file": filename}])
    return spec.check(node, "", ctx), ctx
