"""BOARD_TRACE_EXPORTER=otlp|both: the X-Ray tree leaves through the real OpenTelemetry SDK
exporter as the same span tree, to a plain OTLP receiver and to `board xray`."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from board.app import board_app, board_tracing
from board.chaos import Chaos
from db.engine import Database
from graph.tokens import TokenSigner
from tests.support.asgi import asgi_client
from tests.support.daemon import call, xray_client
from tests.support.feed import FEED, SECRET_BODY, SECRET_TITLE, seed_feed
from tests.support.graphql import GraphQLClient
from tests.support.otlp import OtlpReceiver, listed_annotations, otlp_receiver, span_tree, xray_tree
from tests.support.xray import UdpCollector
from tracing import ExporterChoice, FanOut, OtlpExporter, TracingConfig
from tracing.otlp_export import SDK_EXPORTER_LOGGER, BatchSettings, TraceQueue, resource_for
from tracing.wire import Document, descendants
from xray_local.server import RunningDaemon
from xray_local.span_documents import attributes_of

SERVER = Span.SPAN_KIND_SERVER
CLIENT = Span.SPAN_KIND_CLIENT
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
SAMPLE_NONE = {"version": 2, "rules": [], "default": {"fixed_target": 0, "rate": 0}}


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    with otlp_receiver() as running:
        yield running


Exporting = Callable[..., AbstractAsyncContextManager[tuple[GraphQLClient, OtlpExporter]]]


@pytest.fixture
def exporting(
    database: Database,
    tokens: TokenSigner,
    tracing_config: TracingConfig,
    receiver: OtlpReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> Exporting:
    """Opens the board API traced as with BOARD_TRACE_EXPORTER=both: to UDP (the ``daemon``
    fixture) and OTLP (``receiver`` unless another endpoint is given). Leaving it flushes the
    OTLP queue."""

    @asynccontextmanager
    async def traced(
        config: TracingConfig = tracing_config, endpoint: str = "", **app_options: Any
    ) -> AsyncIterator[tuple[GraphQLClient, OtlpExporter]]:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint or receiver.url)
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2")
        tracing = board_tracing(config, ExporterChoice.BOTH)
        assert tracing.running is not None
        both = tracing.running.exporter
        assert isinstance(both, FanOut)
        otlp = both.exporters[-1]
        assert isinstance(otlp, OtlpExporter)
        app = board_app(database, tokens, tracing=tracing, **app_options)
        try:
            async with asgi_client(app) as http:
                yield GraphQLClient(http), otlp
        finally:
            await asyncio.to_thread(otlp.shutdown)

    return traced


async def flushed(otlp: OtlpExporter) -> None:
    await asyncio.to_thread(otlp.shutdown)


async def feed(client: GraphQLClient, first: int = 3, comments: int = 2) -> str:
    response = await client.post(FEED, {"first": first, "comments": comments})
    assert response.status_code == 200, response.text
    trace_id: str = response.json()["extensions"]["traceId"]
    assert response.headers["x-amzn-trace-id"] == f"Root={trace_id};Sampled=1"
    return trace_id


def server_span(spans: list[Span]) -> Span:
    (server,) = [span for span in spans if span.kind == SERVER]
    return server


async def test_the_span_tree_equals_the_xray_tree_with_loaders(
    exporting: Exporting,
    database: Database,
    daemon: UdpCollector,
    receiver: OtlpReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await seed_feed(database, users=5, posts=3, comments=2)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=collector-key")
    async with exporting() as (client, otlp):
        trace_id = await feed(client)
        await flushed(otlp)
    segment = await daemon.trace(trace_id)
    spans = receiver.spans(trace_id)

    assert span_tree(spans) == xray_tree(segment)
    assert len(spans) == 1 + len(list(descendants(segment)))
    for headers in receiver.headers:
        assert headers["content-type"] == "application/x-protobuf"
        assert headers["x-api-key"] == "collector-key"
    server = server_span(spans)
    assert server.trace_id.hex() == trace_id.removeprefix("1-").replace("-", "")
    assert server.span_id.hex() == segment["id"]
    assert server.name == "POST /graphql"
    attributes = attributes_of(server.attributes)
    assert attributes["http.request.method"] == "POST"
    assert attributes["http.route"] == "/graphql"
    assert attributes["url.full"] == "http://board.test/graphql"
    assert attributes["http.response.status_code"] == 200
    assert listed_annotations(server) == segment["annotations"]
    assert set(listed_annotations(server)) == {"operation_name", "operation_type", "query_cost"}
    assert listed_annotations(server)["operation_name"] == "Feed"
    assert listed_annotations(server)["query_cost"] > 0
    (group,) = receiver.resource_spans()
    assert attributes_of(group.resource.attributes)["service.name"] == "board-api"

    statements = [span for span in spans if span.kind == CLIENT]
    assert statements
    for statement in statements:
        sql = attributes_of(statement.attributes)
        assert sql["db.system"] == sql["db.system.name"] == "postgresql"
        assert sql["db.namespace"]
        assert statement.name == f"{sql['db.operation.name']} {sql['db.namespace']}"
    author = next(span for span in spans if span.name == "Comment.author")
    path = attributes_of(author.attributes)["graphql.path"]
    assert re.fullmatch(r"posts\.edges\.\d\.node\.comments\.edges\.\d\.node\.author", path)
    exported = b"".join(request.SerializeToString() for request in receiver.requests)
    assert SECRET_TITLE.encode() not in exported
    assert SECRET_BODY.encode() not in exported


async def test_folds_and_n_plus_one_leave_as_they_are_in_the_xray_tree(
    exporting: Exporting,
    database: Database,
    tracing_config: TracingConfig,
    daemon: UdpCollector,
    receiver: OtlpReceiver,
) -> None:
    await seed_feed(database, users=5, posts=6, comments=3)
    config = replace(tracing_config, field_cap=2)
    async with exporting(config, dataloaders=False) as (client, otlp):
        trace_id = await feed(client, first=6, comments=3)
        await flushed(otlp)
    segment = await daemon.trace(trace_id)
    spans = receiver.spans(trace_id)

    assert span_tree(spans) == xray_tree(segment)
    annotations = listed_annotations(server_span(spans))
    assert annotations["n_plus_one"] is True
    assert annotations["n_plus_one_field"] == segment["annotations"]["n_plus_one_field"]
    folded = [span for span in spans if span.name.startswith("folded:")]
    assert folded
    assert attributes_of(folded[0].attributes)["graphql.folded.count"] >= 1


async def test_client_errors_and_faults_are_told_apart(
    exporting: Exporting, daemon: UdpCollector, receiver: OtlpReceiver
) -> None:
    chaos = Chaos(error_rate=1.0, latency_ms=None, rng=random.Random(0))
    async with exporting() as (client, otlp):
        refused = await client.post('mutation { deletePost(id: "1") }')
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        await flushed(otlp)
    async with exporting(chaos=chaos) as (client, otlp):
        injected = await client.post("{ posts(first: 1) { edges { node { id } } } }")
        assert injected.json()["errors"][0]["extensions"]["code"] == "CHAOS_INJECTED"
        await flushed(otlp)

    for response, field, failure in (
        (refused, "Mutation.deletePost", "error"),
        (injected, "Query.posts", "fault"),
    ):
        trace_id = response.json()["extensions"]["traceId"]
        segment = await daemon.trace(trace_id)
        spans = receiver.spans(trace_id)
        assert span_tree(spans) == xray_tree(segment)
        (span,) = [span for span in spans if span.name == field]
        (event,) = span.events
        assert event.name == "exception"
        assert attributes_of(event.attributes)["exception.message"]
        if failure == "fault":
            assert span.status.code == span.status.STATUS_CODE_ERROR
        else:
            assert span.status.code == span.status.STATUS_CODE_UNSET
            assert attributes_of(span.attributes)["error.type"] == "Unauthenticated"


async def test_board_xray_stores_the_otlp_spans_as_the_xray_tree(
    exporting: Exporting, database: Database, daemon: UdpCollector, xray: RunningDaemon
) -> None:
    await seed_feed(database, users=5, posts=3, comments=2)
    async with exporting(endpoint=f"{xray.url}/v1/traces") as (client, otlp):
        trace_id = await feed(client)
        await flushed(otlp)
    udp_segment = await daemon.trace(trace_id)
    stored = await stored_segment(xray, trace_id, len(list(descendants(udp_segment))))

    assert xray_tree(stored, sql_names=True) == xray_tree(udp_segment, sql_names=True)
    assert stored["name"] == udp_segment["name"] == "board-api"
    assert stored["id"] == udp_segment["id"]
    assert stored["annotations"] == udp_segment["annotations"]
    assert stored["http"]["response"]["status"] == 200
    assert stored["http"]["request"]["method"] == "POST"


async def stored_segment(xray: RunningDaemon, trace_id: str, entities: int) -> Document:
    """The daemon's trace once every subsegment has arrived (spans come in batches)."""
    client = xray_client(xray)
    async with asyncio.timeout(10):
        while True:
            found = (await call(client.batch_get_traces, TraceIds=[trace_id]))["Traces"]
            if found:
                (segment,) = found[0]["Segments"]
                document: Document = json.loads(segment["Document"])
                if len(list(descendants(document))) == entities:
                    return document
            await asyncio.sleep(0.05)


async def test_a_client_traceparent_is_continued_and_returned(
    exporting: Exporting, daemon: UdpCollector, receiver: OtlpReceiver
) -> None:
    async with exporting() as (client, otlp):
        response = await client.http.post(
            "/graphql",
            json={"query": "query Viewer { viewer { id } }"},
            headers={"traceparent": TRACEPARENT, "tracestate": "vendor=opaque"},
        )
        await flushed(otlp)
    _, w3c_trace, parent, _ = TRACEPARENT.split("-")
    xray_id = f"1-{w3c_trace[:8]}-{w3c_trace[8:]}"
    assert response.json()["extensions"]["traceId"] == xray_id
    assert response.headers["x-amzn-trace-id"] == f"Root={xray_id};Sampled=1"
    segment = await daemon.trace(xray_id)
    assert segment["parent_id"] == parent
    assert response.headers["traceparent"] == f"00-{w3c_trace}-{segment['id']}-01"
    assert response.headers["tracestate"] == "vendor=opaque"
    server = server_span(receiver.spans(xray_id))
    assert server.parent_span_id.hex() == parent
    assert server.span_id.hex() == segment["id"]


async def test_sampled_out_requests_send_no_spans(
    exporting: Exporting,
    tracing_config: TracingConfig,
    daemon: UdpCollector,
    receiver: OtlpReceiver,
    tmp_path: Path,
) -> None:
    query = {"query": "{ viewer { id } }"}
    async with exporting() as (client, otlp):
        unsampled_parent = await client.http.post(
            "/graphql", json=query, headers={"traceparent": TRACEPARENT[:-2] + "00"}
        )
        unsampled_xray = await client.http.post(
            "/graphql", json=query, headers={"X-Amzn-Trace-Id": "Sampled=0"}
        )
        sampled = await client.http.post("/graphql", json=query)
        await flushed(otlp)
    rules = tmp_path / "none.json"
    rules.write_text(json.dumps(SAMPLE_NONE))
    by_rule = replace(tracing_config, sampling_rules=str(rules))
    async with exporting(by_rule) as (client, _):
        ruled_out = await client.http.post("/graphql", json=query)

    assert unsampled_parent.headers["traceparent"].endswith("-00")
    assert unsampled_parent.headers["x-amzn-trace-id"].endswith("Sampled=0")
    traced = {span.trace_id.hex() for span in receiver.spans()}
    assert traced == {_w3c(sampled.json()["extensions"]["traceId"])}
    for response in (unsampled_parent, unsampled_xray, ruled_out):
        assert _w3c(response.json()["extensions"]["traceId"]) not in traced
    assert len(daemon.segments()) == 1


async def test_an_unreachable_collector_fails_no_request_and_is_logged_once(
    exporting: Exporting, daemon: UdpCollector, caplog: pytest.LogCaptureFixture
) -> None:
    with otlp_receiver() as gone:
        closed = gone.url  # nothing listens there once the receiver has stopped
    caplog.set_level(logging.INFO, logger=SDK_EXPORTER_LOGGER)
    async with exporting(endpoint=closed) as (client, _):
        ids = [await feed(client, first=1) for _ in range(3)]
    for trace_id in ids:  # the X-Ray path is untouched
        assert (await daemon.trace(trace_id))["name"] == "board-api"
    from_sdk = [record for record in caplog.records if record.name == SDK_EXPORTER_LOGGER]
    assert len(from_sdk) <= 1


def _w3c(xray_id: str) -> str:
    return xray_id.removeprefix("1-").replace("-", "")


async def test_spans_leave_through_the_sdk_exporter_with_its_compression(
    exporting: Exporting,
    daemon: UdpCollector,
    receiver: OtlpReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Our encoded requests are posted by the SDK exporter's client (a private seam): its
    OTEL_* settings must still apply."""
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-tenant=board")
    async with exporting() as (client, otlp):
        response = await client.post("query Viewer { viewer { id } }")
        await flushed(otlp)

    trace_id = response.json()["extensions"]["traceId"]
    assert receiver.headers
    for headers in receiver.headers:
        assert headers["content-encoding"] == "gzip"
        assert headers["x-tenant"] == "board"
    assert span_tree(receiver.spans(trace_id)) == xray_tree(await daemon.trace(trace_id))


async def held_in_batches_of_ten(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Feed data seeded; export batches of ten spans that leave only when the exporter stops."""
    await seed_feed(database, users=5, posts=3, comments=2)
    monkeypatch.setenv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "10")
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "60000")


async def test_a_trace_is_never_split_between_export_requests(
    exporting: Exporting,
    database: Database,
    receiver: OtlpReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await held_in_batches_of_ten(database, monkeypatch)
    async with exporting() as (client, _):
        big = [await feed(client) for _ in range(2)]
        small = [await client.post("query Viewer { viewer { id } }") for _ in range(2)]

    small_ids = {_w3c(response.json()["extensions"]["traceId"]) for response in small}
    per_request = [
        {
            span.trace_id.hex()
            for group in request.resource_spans
            for scope in group.scope_spans
            for span in scope.spans
        }
        for request in receiver.requests
    ]
    for trace_id in map(_w3c, big):
        assert len(receiver.spans(trace_id)) > 10
        assert per_request.count({trace_id}) == 1
    assert small_ids in per_request  # the two five-span traces fit one batch of ten spans
    assert len(per_request) == 3


async def test_a_trace_that_does_not_fit_the_queue_is_dropped_whole(
    exporting: Exporting,
    database: Database,
    receiver: OtlpReceiver,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await held_in_batches_of_ten(database, monkeypatch)
    monkeypatch.setenv("OTEL_BSP_MAX_QUEUE_SIZE", "10")
    caplog.set_level(logging.WARNING, logger="tracing")
    async with exporting() as (client, _):
        too_big = [await feed(client) for _ in range(2)]
        small = await client.post("query Viewer { viewer { id } }")
        assert small.status_code == 200

    assert {span.trace_id.hex() for span in receiver.spans()} == {
        _w3c(small.json()["extensions"]["traceId"])
    }
    assert len(receiver.spans()) == 5  # the segment, parse, validate, execute, Query.viewer
    warnings = [record.getMessage() for record in caplog.records if record.name == "tracing"]
    assert warnings == [
        "OTLP: export queue full (collector slow or unreachable?); 1 traces dropped so far"
    ]
    assert too_big


def test_a_default_batch_carries_twenty_feed_sized_traces() -> None:
    """A feed trace is a hundred spans: the SDK's default batch (512) would post every fifth."""
    queue = TraceQueue(BatchSettings.from_env({}))
    for number in range(25):
        assert queue.put([str(number).encode()] * 100)
    queue.close()

    assert [len(queue.next_batch()) for _ in range(3)] == [20, 5, 0]


def test_a_trace_is_written_when_handed_over_not_when_its_batch_leaves() -> None:
    """The queue holds the spans' bytes, not the document: what the exporter was given is what
    is sent, and the document is not kept for the thread to read later."""
    sent: list[bytes] = []
    exporter = OtlpExporter(sent.append, resource_for("board"))
    document: Document = {
        "trace_id": "1-5f84c7a1-0123456789abcdef01234567",
        "id": "0123456789abcdef",
        "name": "board",
        "start_time": 1.0,
        "end_time": 2.0,
        "subsegments": [
            {"id": "1111111111111111", "name": "Query.posts", "start_time": 1.1, "end_time": 1.9}
        ],
    }
    exporter.export(document)
    document["subsegments"][0]["name"] = "changed after export"
    exporter.shutdown()

    request = ExportTraceServiceRequest()
    request.ParseFromString(b"".join(sent))
    (scope_spans,) = [
        scope for resource in request.resource_spans for scope in resource.scope_spans
    ]
    assert [span.name for span in scope_spans.spans] == ["HTTP /", "Query.posts"]


def test_the_service_name_is_otel_service_name_else_the_tracing_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test")
    default = resource_for("board-api").attributes
    assert default["service.name"] == "board-api"
    assert default["deployment.environment"] == "test"
    monkeypatch.setenv("OTEL_SERVICE_NAME", "feed-api")
    assert resource_for("board-api").attributes["service.name"] == "feed-api"
