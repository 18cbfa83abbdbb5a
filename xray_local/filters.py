"""X-Ray filter expressions (the subset the README lists), compiled to predicates.

Grammar:  expr := and ("OR" and)* ; and := unary ("AND" unary)* ;
          unary := ("NOT" | "!") unary | "(" expr ")" | keyword | field op value
                 | service(["name"]) ["{" expr "}"] | edge("from", "to") ["{" expr "}"]
                 | rootcause.KIND.(service|entity) "{" expr "}" | group.(name|arn) = "group"
A ``service``/``edge`` block is evaluated on that service's (or call's) part of the trace;
a ``rootcause`` block on each root cause (``xray_local.root_causes``) of the kind named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracing.wire import Document
from xray_local.calls import calls, duration, is_remote
from xray_local.root_causes import RootCause, exceptions
from xray_local.summary import Facts, part_facts

Predicate = Callable[[Facts], bool]
GroupLookup = Callable[[str], str | None]
"""A group's filter expression by its name or ARN, or None when there is no such group."""

KEYWORDS: dict[str, Predicate] = {
    "ok": lambda facts: not (facts.error or facts.fault or facts.throttle),
    "error": lambda facts: facts.error,
    "fault": lambda facts: facts.fault,
    "throttle": lambda facts: facts.throttle,
}
FIELDS: dict[str, Callable[[Facts], Any]] = {
    "responsetime": lambda facts: facts.response_time,
    "duration": lambda facts: facts.duration,
    "http.status": lambda facts: facts.http["status"],
    "http.method": lambda facts: facts.http["method"],
    "http.url": lambda facts: facts.http["url"],
    "http.useragent": lambda facts: facts.http["user_agent"],
    "http.clientip": lambda facts: facts.http["client_ip"],
    "user": lambda facts: facts.users,
}
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|!=|=|<|>)
      | (?P<punct>[()!,{}:])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.\-]*)
    )""",
    re.VERBOSE,
)
_TEXT_OPS = {"contains", "beginswith", "endswith"}


class FilterError(ValueError):
    """A filter expression that cannot be understood; the message says where and why."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int


def compile_filter(expression: str | None, groups: GroupLookup | None = None) -> Predicate:
    if expression is None or not expression.strip():
        return lambda facts: True
    parser = _Parser(_tokens(expression), groups or (lambda _: None))
    predicate = parser.expression()
    parser.expect_end()
    return predicate


def _tokens(expression: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(expression):
        if expression[position:].strip() == "":
            break
        match = _TOKEN.match(expression, position)
        if match is None or match.end() == position:
            start = len(expression) - len(expression[position:].lstrip())
            raise FilterError(f"unexpected character {expression[start]!r} at position {start}")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[Token], groups: GroupLookup) -> None:
        self._tokens = tokens
        self._index = 0
        self._groups = groups

    def expression(self) -> Predicate:
        left = self._conjunction()
        while self._word("or"):
            right = self._conjunction()
            left = _either(left, right)
        return left

    def expect_end(self) -> None:
        token = self._peek()
        if token is not None:
            raise FilterError(f"unexpected {token.text!r} at position {token.position}")

    def _conjunction(self) -> Predicate:
        left = self._unary()
        while self._word("and"):
            right = self._unary()
            left = _both(left, right)
        return left

    def _unary(self) -> Predicate:
        token = self._next("a condition")
        if token.text == "!" or (token.kind == "word" and token.text.lower() == "not"):
            inner = self._unary()
            return lambda facts: not inner(facts)
        if token.text == "(":
            inner = self.expression()
            self._expect(")")
            return inner
        if token.kind != "word":
            raise FilterError(
                f"expected a condition at position {token.position}, got {token.text!r}"
            )
        name = token.text.lower()
        if name in KEYWORDS and not self._peek_is_operator():
            return KEYWORDS[name]
        if name == "service":
            return self._service()
        if name == "edge":
            return self._edge()
        if name.startswith("rootcause.") and self._peek_text("{"):
            return self._root_cause_block(token)
        if name in ("group.name", "group.arn"):
            return self._group(token)
        return self._comparison(token)

    def _service(self) -> Predicate:
        self._expect("(")
        wanted = None if self._peek_text(")") else self._quoted("service() takes a quoted name")
        self._expect(")")
        inner = self._block()

        def matches(facts: Facts) -> bool:
            parts = _service_parts(facts)
            names = [wanted] if wanted is not None else list(parts)
            return any(name in parts and inner(parts[name]) for name in names)

        return matches

    def _edge(self) -> Predicate:
        self._expect("(")
        source = self._quoted("edge() takes two quoted service names")
        self._expect(",")
        target = self._quoted("edge() takes two quoted service names")
        self._expect(")")
        inner = self._block()

        def matches(facts: Facts) -> bool:
            part = _edge_part(facts, source, target)
            return part is not None and inner(part)

        return matches

    def _block(self) -> Predicate:
        """An optional ``{ expr }`` on a service or edge; without one, its presence is enough."""
        if not self._peek_text("{"):
            return lambda facts: True
        self._expect("{")
        inner = self.expression()
        self._expect("}")
        return inner

    def _root_cause_block(self, token: Token) -> Predicate:
        kind, level = _root_cause_parts(token, block=True)
        self._expect("{")
        tables = _ROOT_CAUSE_FIELDS[level]
        inner = _Parser(self._tokens, self._groups)
        inner._index = self._index
        predicate = inner.subject_expression(tables)
        self._index = inner._index
        self._expect("}")
        return lambda facts: any(predicate(s) for s in _root_cause_subjects(facts, kind, level))

    def subject_expression(self, fields: frozenset[str]) -> Callable[[Any], bool]:
        """``field op value`` terms joined by AND/OR/NOT over root-cause subjects (dicts)."""
        left = self._subject_conjunction(fields)
        while self._word("or"):
            right = self._subject_conjunction(fields)
            left = _either(left, right)
        return left

    def _subject_conjunction(self, fields: frozenset[str]) -> Callable[[Any], bool]:
        left = self._subject_term(fields)
        while self._word("and"):
            right = self._subject_term(fields)
            left = _both(left, right)
        return left

    def _subject_term(self, fields: frozenset[str]) -> Callable[[Any], bool]:
        token = self._next("a condition")
        if token.text == "!" or (token.kind == "word" and token.text.lower() == "not"):
            inner = self._subject_term(fields)
            return lambda subject: not inner(subject)
        if token.text == "(":
            inner = self.subject_expression(fields)
            self._expect(")")
            return inner
        name = token.text.lower()
        if token.kind != "word" or name not in fields:
            known = ", ".join(sorted(fields))
            raise FilterError(
                f"expected one of {known} at position {token.position}, got {token.text!r}"
            )
        if name in _SUBJECT_FLAGS and not self._peek_is_operator():
            return lambda subject: bool(subject.get(name))
        operator = self._next("an operator")
        op = operator.text.lower()
        if operator.kind != "op" and op not in _TEXT_OPS:
            raise FilterError(
                f"expected an operator after {token.text!r} at position {operator.position}"
            )
        compare = _comparator(op, _literal(self._next("a value")), operator)
        return lambda subject: _holds(subject.get(name), compare)

    def _group(self, token: Token) -> Predicate:
        self._expect("=")
        wanted = self._quoted(f"{token.text} takes a quoted group name or ARN")
        expression = self._groups(wanted)
        if expression is None:
            raise FilterError(f"no group {wanted!r} (position {token.position})")
        return compile_filter(expression, self._groups)

    def _quoted(self, message: str) -> str:
        token = self._next("a quoted string")
        if token.kind != "string":
            raise FilterError(f"{message} at position {token.position}")
        return _unquote(token.text)

    def _peek_text(self, text: str) -> bool:
        token = self._peek()
        return token is not None and token.text == text

    def _comparison(self, field_token: Token) -> Predicate:
        getter = _getter(field_token)
        operator = self._next("an operator")
        op = operator.text.lower()
        if operator.kind != "op" and op not in _TEXT_OPS:
            raise FilterError(
                f"expected an operator after {field_token.text!r} at position {operator.position}"
            )
        value = _literal(self._next("a value"))
        compare = _comparator(op, value, operator)
        return lambda facts: _holds(getter(facts), compare)

    def _peek_is_operator(self) -> bool:
        token = self._peek()
        return token is not None and (token.kind == "op" or token.text.lower() in _TEXT_OPS)

    def _word(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token.kind == "word" and token.text.lower() == word:
            self._index += 1
            return True
        return False

    def _expect(self, text: str) -> None:
        token = self._next(repr(text))
        if token.text != text:
            raise FilterError(f"expected {text!r} at position {token.position}, got {token.text!r}")

    def _peek(self) -> Token | None:
        return self._tokens[self._index] if self._index < len(self._tokens) else None

    def _next(self, wanted: str) -> Token:
        token = self._peek()
        if token is None:
            raise FilterError(f"expression ends where {wanted} was expected")
        self._index += 1
        return token


def _getter(token: Token) -> Callable[[Facts], Any]:
    name = token.text
    if name.lower().startswith("annotation."):
        key = name[len("annotation.") :]
        if not key:
            raise FilterError(f"annotation needs a key at position {token.position}")
        return lambda facts: [annotated.value for annotated in facts.annotations.get(key, ())]
    if name.lower().startswith("rootcause."):
        kind, level = _root_cause_parts(token, block=False)
        field = _root_cause_field(token, level)
        return lambda facts: [
            value
            for s in _root_cause_subjects(facts, kind, level)
            for value in _listed(s.get(field))
        ]
    getter = FIELDS.get(name.lower())
    if getter is None:
        raise FilterError(f"unknown field {name!r} at position {token.position}")
    return getter


def _literal(token: Token) -> Any:
    if token.kind == "string":
        return _unquote(token.text)
    if token.kind == "number":
        return float(token.text)
    if token.kind == "word" and token.text.lower() in ("true", "false"):
        return token.text.lower() == "true"
    raise FilterError(f"expected a value at position {token.position}, got {token.text!r}")


def _comparator(op: str, value: Any, token: Token) -> Callable[[Any], bool]:
    if op in _TEXT_OPS:
        if not isinstance(value, str):
            raise FilterError(f"{op.upper()} needs a quoted string at position {token.position}")
        method = {
            "contains": str.__contains__,
            "beginswith": str.startswith,
            "endswith": str.endswith,
        }[op]
        return lambda actual: isinstance(actual, str) and method(actual, value)
    if op in ("=", "!="):
        equal = op == "="
        return lambda actual: _same_type(actual, value) and (actual == value) == equal
    if isinstance(value, bool | str):
        raise FilterError(f"{op} needs a number at position {token.position}")
    ordering: Callable[[float, float], bool] = {
        "<": float.__lt__,
        "<=": float.__le__,
        ">": float.__gt__,
        ">=": float.__ge__,
    }[op]
    return lambda actual: _is_number(actual) and ordering(float(actual), value)


def _holds(actual: Any, compare: Callable[[Any], bool]) -> bool:
    if isinstance(actual, list):  # a trace has several users: any of them
        return any(compare(item) for item in actual)
    return actual is not None and compare(actual)


def _same_type(actual: Any, value: Any) -> bool:
    if isinstance(value, bool) or isinstance(actual, bool):
        return isinstance(value, bool) and isinstance(actual, bool)
    if isinstance(value, float):
        return _is_number(actual)
    return isinstance(actual, str)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _either(left: Predicate, right: Predicate) -> Predicate:
    return lambda facts: left(facts) or right(facts)


def _both(left: Predicate, right: Predicate) -> Predicate:
    return lambda facts: left(facts) and right(facts)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


# Root causes: ``rootcause.KIND.service { name = "x" }``, ``rootcause.KIND.entity { ... }``, and
# the dotted forms ``rootcause.KIND.service.name = "x"``, ``rootcause.KIND.name = "x"`` (entity).
_ROOT_CAUSE_KINDS = ("fault", "error", "responsetime")
_ROOT_CAUSE_FIELDS = {
    "service": frozenset({"name", "type", "inferred"}),
    "entity": frozenset({"name", "remote", "exception.name", "exception.message", "coverage"}),
}
_SUBJECT_FLAGS = frozenset({"inferred", "remote"})


def _root_cause_parts(token: Token, *, block: bool) -> tuple[str, str]:
    parts = token.text.lower().split(".")
    kind = parts[1] if len(parts) > 1 else ""
    if kind not in _ROOT_CAUSE_KINDS:
        raise FilterError(
            f"rootcause takes fault, error or responsetime at position {token.position}"
        )
    level = parts[2] if len(parts) > 2 and parts[2] in _ROOT_CAUSE_FIELDS else "entity"
    if block and (len(parts) != 3 or parts[2] not in _ROOT_CAUSE_FIELDS):
        raise FilterError(
            f"expected rootcause.{kind}.service or rootcause.{kind}.entity before '{{'"
            f" at position {token.position}"
        )
    return kind, level


def _root_cause_field(token: Token, level: str) -> str:
    parts = token.text.lower().split(".")
    rest = parts[3:] if len(parts) > 2 and parts[2] in _ROOT_CAUSE_FIELDS else parts[2:]
    field = ".".join(rest)
    if field not in _ROOT_CAUSE_FIELDS[level]:
        known = ", ".join(sorted(_ROOT_CAUSE_FIELDS[level]))
        raise FilterError(
            f"unknown root-cause field {token.text!r} at position {token.position} ({known})"
        )
    return field


def _root_cause_subjects(facts: Facts, kind: str, level: str) -> list[dict[str, Any]]:
    causes: list[RootCause] = {
        "fault": facts.fault_causes,
        "error": facts.error_causes,
        "responsetime": [facts.slowest] if facts.slowest else [],
    }[kind]
    if level == "service":
        return [{"name": c.service, "type": c.service_type, "inferred": c.inferred} for c in causes]
    return [_entity_subject(e, facts.response_time) for c in causes for e in c.path]


def _entity_subject(entity: Document, total: float) -> dict[str, Any]:
    thrown = exceptions(entity)
    spent = duration(entity)
    return {
        "name": entity["name"],
        "remote": is_remote(entity),
        "exception.name": [e["Name"] for e in thrown],
        "exception.message": [e["Message"] for e in thrown],
        "coverage": spent / total if total > 0 else 0.0,
    }


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _service_parts(facts: Facts) -> dict[str, Facts]:
    """Each service's (and inferred node's) own part of the trace, as Facts."""
    if facts.trace is None:
        return {}
    entities: dict[str, list[Document]] = {}
    for call in calls(facts.trace):
        entities.setdefault(call.target[0], []).append(call.entity)
    return {
        name: part_facts(facts.trace, found, found[0], services=[name])
        for name, found in entities.items()
    }


def _edge_part(facts: Facts, source: str, target: str) -> Facts | None:
    """The calls from ``source`` to ``target`` in this trace, as Facts, or None if none."""
    if facts.trace is None:
        return None
    found = [
        call.entity
        for call in calls(facts.trace)
        if call.source[0] == source and call.target[0] == target
    ]
    if not found:
        return None
    return part_facts(facts.trace, found, found[0], services=[target])
