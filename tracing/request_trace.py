"""One request's trace, and where the running code sits in it.

GraphQL resolves a field's children after the field's own resolver has returned, so children
are added to subsegments that already have their end time: the tree is our own ``Node`` objects
until the request ends, then turned into one document for the exporter.

The current place in the tree is a ``Scope`` kept in a context variable. aws-xray-sdk's own
contexts keep one stack per thread or share it between asyncio tasks, which gives wrong parents
under ``asyncio.gather``; a ``ContextVar`` is copied into every task, so each resolver sees the
scope it started in and nothing a sibling task set.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aws_xray_sdk.core.models.entity import Entity
from aws_xray_sdk.core.models.segment import Segment
from graphql.pyutils import Path

from tracing.arguments import ArgumentFilter
from tracing.entities import record_exception
from tracing.folding import Fold
from tracing.graphql_errors import DEFAULT_ERROR_CODES, ErrorCodes
from tracing.n_plus_one import StatementLog, log_findings
from tracing.nodes import Node
from tracing.wire import N_PLUS_ONE, N_PLUS_ONE_FIELD, Document

SQL_TEXT_MAX = 4000


class Scope:
    """A place in the trace tree that new subsegments and SQL statements attach to.

    A plain class, not a dataclass: compiled (``setup.py``), a dataclass is still built through
    the ``__init__`` the decorator writes in Python, 2,400 instructions each of the feed's 81.
    """

    __slots__ = ("entity", "field", "fold", "parent", "trace")

    def __init__(
        self,
        trace: RequestTrace,
        entity: Entity,
        field: str,
        fold: Fold | None = None,
        parent: Scope | None = None,
    ) -> None:
        self.trace = trace
        self.entity = entity
        self.field = field
        """Who issues statements here: ``Type.field``, ``loader:Name``, or ``""`` for the
        request."""
        self.fold = fold
        """Set when this resolver instance is summarised instead of traced on its own."""
        self.parent = parent


current_scope: ContextVar[Scope | None] = ContextVar("tracing_scope", default=None)

# Unsampled requests have no scope but still report their trace id to the client.
current_trace_id: ContextVar[str | None] = ContextVar("tracing_trace_id", default=None)


@dataclass(frozen=True)
class SqlTarget:
    """The database a statement ran on, as X-Ray names it: ``name`` and the fixed ``sql`` fields."""

    name: str
    sql: Mapping[str, str]


class RequestTrace:
    """The trace of one sampled request, built while it runs and handed over once it ends.

    The middleware creates it with the request's segment; resolvers, batch loads and SQL
    statements open and close their subsegments through it (``open_field`` then ``close_field``
    or ``fail_field``, ``open_loader``/``close_loader``, ``open_statement``/``close_statement``),
    each under the ``Scope`` it returns. ``finish`` folds, marks N+1 findings and returns the
    whole tree as one document; the trace is spent after that.
    """

    def __init__(
        self,
        segment: Segment,
        *,
        field_cap: int,
        n_plus_one_threshold: int,
        arguments: ArgumentFilter,
        error_codes: ErrorCodes = DEFAULT_ERROR_CODES,
    ) -> None:
        self.segment = segment
        self.error_codes = error_codes
        """Which GraphQL error codes in the response make the request a fault or a throttle."""
        self.root = Scope(trace=self, entity=segment, field="")
        self.execution = self.root
        self.statements = StatementLog()
        self._field_cap = field_cap
        self._n_plus_one_threshold = n_plus_one_threshold
        self._arguments = arguments
        self._top: list[Node] = []
        self._scopes: dict[int, tuple[str | int, str | None, Scope]] = {}
        """Scopes of resolver instances by ``id`` of their path, with the path's key and type."""
        self._instances: dict[str, int] = {}
        self._folds: list[Fold] = []
        self._fold_scopes: dict[tuple[Scope, str], Scope] = {}
        self._load_requests: defaultdict[str, list[Scope]] = defaultdict(list)
        self._one_top_level_field = False
        self._top_level_scope: Scope | None = None
        """The operation's one top-level field, when it has one and it is traced: every fold's
        anchor, so a field past its cap needs no search of its ancestors."""
        self.past_cap: dict[str, Scope] = {}
        """The fold of each field past its cap, once ``_top_level_scope`` anchors them all: the
        resolver wrapper looks its field up here first, and needs ``open_field`` only if absent."""

    # Lifecycle steps: graphql.parse, graphql.validate, graphql.execute.

    def open_step(self, name: str) -> Node:
        return self._open(self.root.entity, name)

    def close_step(self, step: Node) -> None:
        step.end_time = time.time()

    def enter_execution(self, step: Node, *, one_top_level_field: bool = False) -> None:
        """Resolvers run from here on; ``one_top_level_field`` if the operation selects just one
        field at the top, which every traced field then runs beneath."""
        self.execution = Scope(trace=self, entity=step, field="", parent=self.root)
        self._one_top_level_field = one_top_level_field

    # Resolvers.

    def open_field(
        self, field: str, path: Path, arguments: Mapping[str, Any], *, may_parent: bool = True
    ) -> Scope:
        """The scope of one resolver instance; ``may_parent`` unless nothing traced can run
        beneath it (``tracing.selections``), so its descendants need not find it."""
        scope = self.past_cap.get(field) or self._instance_scope(field, path, arguments)
        if may_parent:
            self._scopes[id(path)] = (path.key, path.typename, scope)
        return scope

    def close_field(self, scope: Scope, start: float) -> None:
        """The resolver instance returned; called for every instance, so kept to the minimum."""
        end = time.time()
        fold = scope.fold
        if fold is None:
            scope.entity.end_time = end
        else:
            fold.add_instance(start, end)

    def fail_field(self, scope: Scope, start: float, error: BaseException, *, fault: bool) -> None:
        self.close_field(scope, start)
        if scope.fold is not None:
            scope.fold.add_failure(error, fault=fault)
        else:
            record_exception(scope.entity, error, fault=fault)

    # Batch loads.

    def note_load_request(self, loader: str, scope: Scope) -> None:
        self._load_requests[loader].append(scope)

    def take_load_requests(self, loader: str) -> list[Scope]:
        # Folded instances share one scope: each asker counts once.
        return list(dict.fromkeys(self._load_requests.pop(loader, [])))

    def open_loader(self, name: str, requesters: list[Scope], keys: int) -> Scope:
        parent = _common_ancestor(requesters)
        parent_entity = parent.entity if parent is not None else self.execution.entity
        subsegment = self._open(parent_entity, name)
        subsegment.put_metadata("keys", keys, "graphql")
        return Scope(trace=self, entity=subsegment, field=name, parent=parent)

    def close_loader(self, scope: Scope, error: BaseException | None) -> None:
        scope.entity.end_time = time.time()
        if error is not None:
            record_exception(scope.entity, error, fault=True)

    # SQL statements.

    def open_statement(self, scope: Scope, target: SqlTarget, statement: str) -> Node | None:
        if scope.fold is not None:
            return None
        node = self._open(scope.entity, target.name, namespace="remote")
        node.sql = {**target.sql, "sanitized_query": statement[:SQL_TEXT_MAX]}
        return node

    def close_statement(
        self,
        scope: Scope,
        subsegment: Node | None,
        statement: str,
        start: float,
        error: BaseException | None,
    ) -> None:
        end = time.time()
        self.statements.add(scope.field, statement, end - start)
        if scope.fold is not None:
            scope.fold.add_statement(end - start)
        if subsegment is None:
            return
        subsegment.end_time = end
        if error is not None:
            record_exception(subsegment, error, fault=True)

    # The end.

    def finish(self) -> Document:
        """Close the folds, mark any N+1 findings and return the whole trace as one document."""
        for fold in self._folds:
            fold.close()
        self._mark_n_plus_one()
        self.segment.close()
        document: Document = self.segment.to_dict()
        document.setdefault("subsegments", []).extend(node.document() for node in self._top)
        self._release()
        return document

    def _release(self) -> None:
        """Let go of the tree and the scopes now. Every scope points back here, so they would
        otherwise wait in a reference cycle for a full garbage collection, whose cost grows with
        everything waiting; the root and execution scopes still do, without the tree."""
        for node in self._top:  # the tree hangs from these
            node.children = None
        self._top.clear()
        self._scopes.clear()
        self._folds.clear()
        self._fold_scopes.clear()
        self.past_cap.clear()
        self._top_level_scope = None  # its subsegment holds the top-level field's subtree
        self._load_requests.clear()

    def _mark_n_plus_one(self) -> None:
        findings = self.statements.findings(self._n_plus_one_threshold)
        if not findings:
            return
        self.segment.put_annotation(N_PLUS_ONE, True)
        self.segment.put_annotation(N_PLUS_ONE_FIELD, findings[0].field)
        self.segment.put_metadata(
            "findings", [finding.as_metadata() for finding in findings], "n_plus_one"
        )
        log_findings(findings, self.segment.trace_id)

    def _open(self, parent: Any, name: str, namespace: str = "local") -> Node:
        node = Node(name, self.segment, namespace)
        self._attach(parent, node)
        return node

    def _attach(self, parent: Any, node: Node) -> None:
        if isinstance(parent, Node):
            parent.add_child(node)
        else:  # the segment, or an SDK subsegment a patched library began
            self._top.append(node)

    def _instance_scope(self, field: str, path: Path, arguments: Mapping[str, Any]) -> Scope:
        """A subsegment of its own, or a fold when past the cap or beneath a folded instance."""
        if self._instances.get(field, 0) >= self._field_cap:
            return self._capped_scope(field, path)
        parent, below = self._traced_ancestor(path)
        if parent is not None and parent.fold is not None:
            return self._folded_scope(field, parent)
        dotted = below if parent is None else f"{parent.entity.path}.{below}"
        scope = self._field_scope(field, dotted, arguments, parent)
        if path.prev is None and self._one_top_level_field:
            self._top_level_scope = scope
        return scope

    def _field_scope(
        self, field: str, path: str, arguments: Mapping[str, Any], parent: Scope | None
    ) -> Scope:
        """A subsegment of its own for this resolver instance, with its path and arguments."""
        self._instances[field] = self._instances.get(field, 0) + 1
        subsegment = self._open((parent or self.execution).entity, field)
        subsegment.path = path
        if arguments:
            subsegment.arguments = self._arguments.traced(arguments)
        return Scope(self, subsegment, field, None, parent)  # positional: half the time

    def _traced_ancestor(self, path: Path) -> tuple[Scope | None, str]:
        """The scope of the nearest ancestor whose resolver was traced, and the keys of ``path``
        below that ancestor, dotted (``edges.3.node.author``).

        The keys are gathered on the same walk: an instance's own path is them after its
        ancestor's (``posts.edges.3.node.author``), with no walk to the root. Walking once
        instead of twice saved 0.1 of the 4.0 million instructions that tracing the feed's
        resolvers cost in a simulation of their calls; joining them once at the end, not a
        string per step, 2.38 → 2.31 million (compiled). The price: an instance that turns out
        to fold (beneath a folded ancestor, or past its cap with no single top-level field to
        anchor it) has its keys joined for nothing; in the feed, none does.

        Paths are not kept alive (they would hold a thousand tuples per feed request for the
        garbage collector to walk), so an entry may outlive its path and its id be reused. An
        entry counts only if the key and type match too: a path with the key and type of a
        traced field is itself that field, and it either registers afresh before any path
        beneath it exists or selects nothing traced that would look it up.
        """
        scopes = self._scopes
        keys = [str(path.key)]
        ancestor = path.prev
        while ancestor is not None:
            entry = scopes.get(id(ancestor))
            if entry is not None and entry[0] == ancestor.key and entry[1] == ancestor.typename:
                return entry[2], _dotted(keys)
            keys.append(str(ancestor.key))
            ancestor = ancestor.prev
        return None, _dotted(keys)

    def _capped_scope(self, field: str, path: Path) -> Scope:
        """The fold of a field past its cap, under the top-level field it runs beneath.

        Most instances of a repeated field are past the cap (180 of 220 ``Comment.author`` in
        the feed); with one top-level field, that field is their anchor without a look at their
        ancestors (0.4 of the 1.3 us such an instance cost; in process, X-Ray-traced CPU per feed
        request went from 0.899 to 0.910 of untraced), and the fold is kept by field name for
        the field's next instances (a further 0.15 us each).
        """
        anchor = self._top_level_scope
        if anchor is None:
            return self._folded_scope(field, self._traced_ancestor(path)[0])
        scope = self._fold_under(anchor, field)
        self.past_cap[field] = scope
        return scope

    def _folded_scope(self, field: str, parent: Scope | None) -> Scope:
        """The one scope all folded instances of ``field`` under the same top field share."""
        parent = parent or self.execution
        # Looked up by the parent first: most folded instances are siblings under few parents.
        scope = self._fold_scopes.get((parent, field))
        if scope is None:
            scope = self._fold_under(_root_field(parent), field)
            self._fold_scopes[(parent, field)] = scope
        return scope

    def _fold_under(self, anchor: Scope, field: str) -> Scope:
        """The fold of ``field`` beneath the top-level field ``anchor``, made on first use."""
        scope = self._fold_scopes.get((anchor, field))
        if scope is not None:
            return scope
        fold = Fold.named(field, self.segment)
        self._attach(anchor.entity, fold.summary)
        scope = Scope(trace=self, entity=fold.summary, field=field, fold=fold, parent=anchor)
        self._folds.append(fold)
        self._fold_scopes[(anchor, field)] = scope
        return scope


def _dotted(keys_upwards: list[str]) -> str:
    keys_upwards.reverse()
    return ".".join(keys_upwards)


def _root_field(scope: Scope) -> Scope:
    """The top-level field a scope belongs to: where folded summaries of its subtree go."""
    while scope.parent is not None and scope.parent.field:
        scope = scope.parent
    return scope


def _common_ancestor(scopes: list[Scope]) -> Scope | None:
    """The deepest field scope that is an ancestor-or-self of every scope given, if any."""
    common = _lineage(scopes[0]) if scopes else []
    if not common:  # nobody asked, or the first asker sits outside any traced field
        return None
    depth_of = {scope: depth for depth, scope in enumerate(common)}
    kept = len(common)
    for scope in scopes[1:]:
        # Walk up to the first scope on the common lineage: the lineage is cut below it.
        current: Scope | None = scope
        while current is not None and current not in depth_of:
            current = current.parent
        kept = min(kept, depth_of[current] + 1) if current is not None else 0
        if kept == 0:
            return None
    return common[kept - 1]


def _lineage(scope: Scope) -> list[Scope]:
    """Root-first chain of field scopes ending at ``scope``, for common-prefix comparison."""
    chain: list[Scope] = []
    current: Scope | None = scope
    while current is not None and current.field:
        chain.append(current)
        current = current.parent
    chain.reverse()
    return chain
