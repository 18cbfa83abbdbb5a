"""One subsegment per non-trivial resolver: each resolver of our own is wrapped once.

Strawberry's ``resolve`` extension hook runs through graphql-core's middleware for every field
of every object; on the feed query (~1,200 fields) even a hook that returned at once cost 6% of
throughput. Wrapped at build time through ``graph.schema.wrap_custom_resolvers``, default
attribute fields and introspection stay exactly as fast as without tracing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from graphql import GraphQLResolveInfo

from graph.schema import Resolver, ResolverWrapper
from tracing.request_trace import RequestTrace
from tracing.scope import Scope, current_scope

ClientErrorTest = Callable[[BaseException], bool]


def traced_resolver_factory(is_client_error: ClientErrorTest) -> ResolverWrapper:
    """What ``graph.schema.wrap_custom_resolvers`` applies to each resolver of our own."""
    return partial(_traced, is_client_error=is_client_error)


def _traced(name: str, resolve: Resolver, *, is_client_error: ClientErrorTest) -> Resolver:
    def traced_resolver(root: Any, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
        scope = current_scope.get()
        if scope is None:  # no trace for this request (sampled out)
            return resolve(root, info, **kwargs)
        trace = scope.trace
        started = time.time()
        field_scope = trace.open_field(name, info.path, kwargs)
        # Calling an async resolver only creates its coroutine; the scope is set where it runs.
        try:
            result = resolve(root, info, **kwargs)
        except Exception as error:
            trace.close_field(field_scope, started, error, fault=not is_client_error(error))
            raise
        # Most results are plain values now; inspect.isawaitable costs ~1 us on those.
        if hasattr(result, "__await__"):
            return _awaited(trace, field_scope, started, result, is_client_error)
        trace.close_field(field_scope, started, None, fault=False)
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
        trace.close_field(scope, started, error, fault=not is_client_error(error))
        raise
    finally:
        current_scope.reset(token)
    trace.close_field(scope, started, None, fault=False)
    return value
