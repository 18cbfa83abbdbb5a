"""X-Ray filter expressions (the subset the README lists), compiled to predicates.

Grammar:  expr := and ("OR" and)* ; and := unary ("AND" unary)* ;
          unary := ("NOT" | "!") unary | "(" expr ")" | keyword | service("name") | field op value
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xray_local.summary import Facts

Predicate = Callable[[Facts], bool]

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
      | (?P<punct>[()!,])
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


def compile_filter(expression: str | None) -> Predicate:
    if expression is None or not expression.strip():
        return lambda facts: True
    parser = _Parser(_tokens(expression))
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
    def __init__(self, tokens: list[Token]) -> None:
        self._tokens = tokens
        self._index = 0

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
        return self._comparison(token)

    def _service(self) -> Predicate:
        self._expect("(")
        token = self._next("a service name")
        if token.kind != "string":
            raise FilterError(f"service() takes a quoted name at position {token.position}")
        self._expect(")")
        wanted = _unquote(token.text)
        return lambda facts: wanted in facts.services

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
        return lambda facts: facts.annotations.get(key)
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
