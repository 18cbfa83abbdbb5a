"""One subsegment per non-trivial resolver: each resolver of the app's own is wrapped once.

Strawberry's ``resolve`` extension hook runs through graphql-core's middleware for every field
of every object; on the feed query (~1,200 fields) even a hook that returned at once cost 6% of
throughput. Wrapped at build time through ``wrap_custom_resolvers``, default attribute fields and
introspection stay exactly as fast as without tracing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import strawberry
from graphql import FieldNode, GraphQLResolveInfo

from tracing.policy import ClientErrorTest
from tracing.request_trace import RequestTrace, Scope, current_scope
from tracing.selections import custom_resolver_fields, selects_custom_resolvers

Resolver = Callable[..., Any]
ResolverWrapper = Callable[[str, Resolver], Resolver]


def wrap_custom_resolvers(schema: strawberry.Schema, wrap: ResolverWrapper) -> None:
    """Replace each resolver of the app's own with ``wrap("Type.field", resolver)``, once.

    Default attribute fields and introspection keep graphql-core's direct path: instrumenting
    through this seam costs them nothing, unlike an extension ``resolve`` hook, which runs for
    every field of every object. Wrappers applied later sit outside earlier ones.
    """
    for type_name, field_name, field, resolve in custom_resolver_fields(schema._schema):
        field.resolve = wrap(f"{type_name}.{field_name}", resolve)


def traced_resolver_factory(is_client_error: ClientErrorTest) -> ResolverWrapper:
    """What ``wrap_custom_resolvers`` applies to each resolver when tracing a schema."""
    return partial(_traced, is_client_error=is_client_error)


def _traced(name: str, resolve: Resolver, *, is_client_error: ClientErrorTest) -> Resolver:
    # The field node last resolved and whether its selection reaches another traced field: the
    # same node comes back for every instance of a list, so the answer is worked out once.
    last_selection: tuple[FieldNode | None, bool] = (None, True)

    def traced_resolver(root: Any, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
        nonlocal last_selection
        scope = current_scope.get()
        if scope is None:  # no trace for this request (sampled out)
            return resolve(root, info, **kwargs)
        node, may_parent = last_selection
        if info.field_nodes[0] is not node:
            may_parent = selects_custom_resolvers(info)
            last_selection = (info.field_nodes[0], may_parent)
        trace = scope.trace
        # Most instances are of a field past its cap, already folded: one lookup here (0.15 of
        # the 4.0 million instructions the feed's resolver tracing took). An instance that traced
        # fields beneath it must find by its path goes through ``open_field``, which remembers it.
        field_scope = None if may_parent else trace.past_cap.get(name)
        if field_scope is None:
            field_scope = trace.open_field(name, info.path, kwargs, may_parent=may_parent)
        started = time.time()  # a folded instance's time is its resolver's alone
        # Calling an async resolver only creates its coroutine; the scope is set where it runs.
        try:
            result = resolve(root, info, **kwargs)
        except Exception as error:
            trace.fail_field(field_scope, started, error, fault=not is_client_error(error))
            raise
        # Most results are plain values now; inspect.isawaitable costs ~1 us on those.
        if hasattr(result, "__await__"):
            return _awaited(trace, field_scope, started, result, is_client_error)
        trace.close_field(field_scope, started)
        return result

    return traced_resolver


async def _awaited(
    trace: RequestTrace,
    scope: Scope,
    started: float,
    result: Awaitable[Any],
    is_client_error: ClientErrorTest,
) -> Any:
    token = current_scope.set(scope)
    try:
        value = await result
    except Exception as error:
        trace.fail_field(scope, started, error, fault=not is_client_error(error))
        raise
    finally:
        current_scope.reset(token)
    trace.close_field(scope, started)
    return value
