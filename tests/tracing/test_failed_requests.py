"""A response with GraphQL errors marks its segment: fault for server faults, error for client
errors, with the codes and count in annotations, while the client still gets HTTP 200."""

from __future__ import annotations

import random

from board.chaos import Chaos
from db.engine import Database
from graph.tokens import TokenSigner
from tests.support.feed import FEED, seed_feed
from tests.support.graphql import GraphQLClient
from tests.support.traced_app import traced_http
from tests.support.xray import UdpCollector, named
from tracing import TracingConfig


async def test_an_injected_fault_marks_the_segment_and_names_its_code(
    database: Database, tokens: TokenSigner, daemon: UdpCollector, tracing_config: TracingConfig
) -> None:
    await seed_feed(database, users=1, posts=2, comments=1)
    chaos = Chaos(error_rate=1.0, latency_ms=None, rng=random.Random(3))
    async with traced_http(database, tokens, tracing_config, chaos=chaos) as http:
        response = await http.post(
            "/graphql", json={"query": FEED, "variables": {"first": 2, "comments": 1}}
        )
    assert response.status_code == 200
    payload = response.json()
    (error,) = payload["errors"]
    segment = await daemon.trace(payload["extensions"]["traceId"])
    assert segment["fault"] is True
    assert "error" not in segment
    assert segment["http"]["response"]["status"] == 200
    assert segment["annotations"]["graphql_errors"] == 1
    assert segment["annotations"]["graphql_error_codes"] == "CHAOS_INJECTED"
    failed_field = error["message"].split(" ")[0]
    assert any(sub.get("fault") for sub in named(segment, failed_field))


async def test_client_errors_mark_error_not_fault(
    traced: GraphQLClient, daemon: UdpCollector
) -> None:
    payload = await traced.execute('mutation { deletePost(id: "1") }')
    assert payload["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    segment = await daemon.trace(payload["extensions"]["traceId"])
    assert segment["error"] is True
    assert "fault" not in segment
    assert segment["annotations"]["graphql_error_codes"] == "UNAUTHENTICATED"
    assert segment["annotations"]["graphql_errors"] == 1


async def test_a_clean_request_carries_no_flag_and_no_error_annotations(
    traced: GraphQLClient, daemon: UdpCollector
) -> None:
    payload = await traced.execute("{ viewer { id } }")
    segment = await daemon.trace(payload["extensions"]["traceId"])
    assert not {"error", "fault", "throttle"} & set(segment)
    assert "graphql_errors" not in segment["annotations"]
