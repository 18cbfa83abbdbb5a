"""Traces that cross services, in X-Ray's segment-document format, read back through boto3:
every annotation value kept per service, root causes, service-to-service edges, groups, the
calls a user of the AWS CLI tries next, and X-Ray's error shape for the rest."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.daemon import call, send, stored, xray_client
from tests.support.documents import trace_id
from tests.support.services import START, erroring_chain, failing_chain, service_segment
from xray_local.server import RunningDaemon


@pytest.fixture
async def two_traces(xray: RunningDaemon) -> tuple[str, str]:
    failing, erroring = trace_id(), trace_id()
    segments, part = failing_chain(failing)
    send(xray, part, *reversed(segments), *erroring_chain(erroring))  # parts before parents
    await stored(xray, 7)
    return failing, erroring


def window() -> dict[str, float]:
    return {"StartTime": START - 60, "EndTime": time.time() + 60}


async def matching(daemon: RunningDaemon, expression: str) -> set[str]:
    answer = await call(
        xray_client(daemon).get_trace_summaries, **window(), FilterExpression=expression
    )
    return {summary["Id"] for summary in answer["TraceSummaries"]}


@pytest.mark.parametrize(
    ("expression", "found"),
    [
        ('annotation.myKey = "x"', {"failing"}),
        ('annotation.myKey = "worker"', {"failing"}),  # set downstream, not overwritten
        ('annotation.step = "handler"', {"failing"}),  # set on a subsegment
        ("fault", {"failing"}),
        ("error", {"erroring"}),
        ('rootcause.fault.service { name = "board-api" }', {"failing"}),
        ('rootcause.fault.entity { exception.name = "ChaosError" }', {"failing"}),
        ('rootcause.fault.entity { name = "Query.posts" AND !remote }', {"failing"}),
        ('rootcause.fault.name = "Query.posts"', {"failing"}),
        ('rootcause.error.service { name = "worker" }', {"erroring"}),
        ('rootcause.error.entity { exception.message CONTAINS "bad" }', {"erroring"}),
        ('rootcause.responsetime.service { name = "nodeclient" }', set()),
        ('edge("nodeclient", "board-api") { fault }', {"failing"}),
        ('edge("board-api", "worker") { error }', {"erroring"}),
        ('edge("board-api", "worker")', {"failing", "erroring"}),
        ('edge("nodeclient", "worker")', set()),
        ('service("worker") { error }', {"erroring"}),
        ('service("board-api") { responsetime > 0.4 }', {"failing", "erroring"}),
        ("service() { fault }", {"failing"}),
        ('service("postgres@localhost")', {"failing"}),
        ('!service("postgres@localhost")', {"erroring"}),
    ],
)
async def test_filters_see_every_service_of_a_trace(
    xray: RunningDaemon, two_traces: tuple[str, str], expression: str, found: set[str]
) -> None:
    names = dict(zip(("failing", "erroring"), two_traces, strict=True))
    assert await matching(xray, expression) == {names[name] for name in found}


async def test_summaries_keep_every_value_and_name_root_causes(
    xray: RunningDaemon, two_traces: tuple[str, str]
) -> None:
    failing, erroring = two_traces
    answer = await call(xray_client(xray).get_trace_summaries, **window())
    summaries = {summary["Id"]: summary for summary in answer["TraceSummaries"]}
    summary = summaries[failing]
    values = {
        entry["AnnotationValue"]["StringValue"]: [s["Name"] for s in entry["ServiceIds"]]
        for entry in summary["Annotations"]["myKey"]
    }
    assert values == {"x": ["nodeclient"], "api": ["board-api"], "worker": ["worker"]}
    assert {s["Name"] for s in summary["ServiceIds"]} == {
        "nodeclient",
        "board-api",
        "worker",
        "postgres@localhost",
    }
    (fault,) = summary["FaultRootCauses"]
    (service,) = fault["Services"]
    assert service["Name"] == "board-api"
    assert [entity["Name"] for entity in service["EntityPath"]] == ["board-api", "Query.posts"]
    assert service["EntityPath"][-1]["Exceptions"] == [
        {"Name": "ChaosError", "Message": "Query.posts failed on purpose"}
    ]
    assert fault["ClientImpacting"] is True
    assert summary["ErrorRootCauses"] == []
    (slow,) = summary["ResponseTimeRootCauses"]
    assert slow["Services"][0]["Name"] == "board-api"

    (error,) = summaries[erroring]["ErrorRootCauses"]
    assert error["Services"][0]["Name"] == "worker"
    assert error["Services"][0]["EntityPath"][-1]["Exceptions"][0]["Name"] == "ValueError"
    assert summaries[erroring]["FaultRootCauses"] == []


async def test_the_service_graph_links_services_through_parent_ids(
    xray: RunningDaemon, two_traces: tuple[str, str]
) -> None:
    graph = await call(xray_client(xray).get_service_graph, **window())
    services = {service["Name"]: service for service in graph["Services"]}
    # The calls' own subsegments are edges, not nodes of their own.
    assert set(services) == {"client", "nodeclient", "board-api", "worker", "postgres@localhost"}
    names = {service["ReferenceId"]: name for name, service in services.items()}

    def edges(name: str) -> dict[str, dict[str, Any]]:
        return {names[edge["ReferenceId"]]: edge for edge in services[name]["Edges"]}

    assert set(edges("client")) == {"nodeclient"}
    assert set(edges("nodeclient")) == {"board-api"}
    assert set(edges("board-api")) == {"worker", "postgres@localhost"}
    to_api = edges("nodeclient")["board-api"]["SummaryStatistics"]
    assert to_api["TotalCount"] == 2
    assert to_api["FaultStatistics"]["TotalCount"] == 1
    assert to_api["ErrorStatistics"]["TotalCount"] == 1
    assert to_api["OkCount"] == 0
    assert to_api["TotalResponseTime"] == pytest.approx(0.9)
    histogram = edges("nodeclient")["board-api"]["ResponseTimeHistogram"]
    assert histogram == [{"Value": 0.45, "Count": 2}]
    to_worker = edges("board-api")["worker"]["SummaryStatistics"]
    assert (to_worker["TotalCount"], to_worker["ErrorStatistics"]["TotalCount"]) == (2, 1)
    assert services["board-api"]["SummaryStatistics"]["FaultStatistics"]["TotalCount"] == 1


async def test_trace_graph_and_time_series(
    xray: RunningDaemon, two_traces: tuple[str, str]
) -> None:
    client = xray_client(xray)
    _, erroring = two_traces
    graph = await call(client.get_trace_graph, TraceIds=[erroring])
    assert {service["Name"] for service in graph["Services"]} == {
        "client",
        "nodeclient",
        "board-api",
        "worker",
    }
    series = await call(
        client.get_time_series_service_statistics,
        **window(),
        EntitySelectorExpression='service("board-api")',
        Period=60,
    )
    points = series["TimeSeriesServiceStatistics"]
    assert sum(p["ServiceSummaryStatistics"]["TotalCount"] for p in points) == 2
    edge = await call(
        client.get_time_series_service_statistics,
        **window(),
        EntitySelectorExpression='edge("board-api", "worker")',
    )
    counts = [p["EdgeSummaryStatistics"]["TotalCount"] for p in edge["TimeSeriesServiceStatistics"]]
    assert sum(counts) == 2


async def test_groups_are_filters_usable_everywhere(
    xray: RunningDaemon, two_traces: tuple[str, str]
) -> None:
    client = xray_client(xray)
    failing, _ = two_traces
    created = await call(client.create_group, GroupName="faulty", FilterExpression="fault")
    assert created["Group"]["FilterExpression"] == "fault"
    listed = await call(client.get_groups)
    assert [group["GroupName"] for group in listed["Groups"]] == ["Default", "faulty"]
    assert await matching(xray, 'group.name = "faulty"') == {failing}
    assert await matching(xray, f'group.arn = "{created["Group"]["GroupARN"]}"') == {failing}
    graph = await call(client.get_service_graph, **window(), GroupName="faulty")
    (api,) = [s for s in graph["Services"] if s["Name"] == "board-api"]
    assert api["SummaryStatistics"]["TotalCount"] == 1

    await call(client.update_group, GroupName="faulty", FilterExpression="error")
    assert await matching(xray, 'group.name = "faulty"') == {two_traces[1]}
    with pytest.raises(ClientError, match="already exists"):
        await call(client.create_group, GroupName="faulty", FilterExpression="ok")
    with pytest.raises(ClientError, match="Invalid filter expression"):
        await call(client.create_group, GroupName="broken", FilterExpression="responsetime >")
    await call(client.delete_group, GroupName="faulty")
    with pytest.raises(ClientError) as caught:
        await call(client.get_group, GroupName="faulty")
    assert caught.value.response["Error"]["Code"] == "InvalidRequestException"


async def test_put_trace_segments_stores_good_documents_and_names_bad_ones(
    xray: RunningDaemon,
) -> None:
    trace = trace_id()
    good = service_segment("cli-job", trace, time.time() - 1, 0.2, annotations={"job": "nightly"})
    answer = await call(
        xray_client(xray).put_trace_segments,
        TraceSegmentDocuments=[json.dumps(good), json.dumps({"id": "abc", "name": "no-trace"})],
    )
    assert answer["UnprocessedTraceSegments"] == [
        {"Id": "abc", "ErrorCode": "400", "Message": "missing trace_id"}
    ]
    (found,) = (await call(xray_client(xray).batch_get_traces, TraceIds=[trace]))["Traces"]
    assert json.loads(found["Segments"][0]["Document"])["name"] == "cli-job"
    assert await matching(xray, 'annotation.job = "nightly"') == {trace}


async def test_a_call_this_daemon_lacks_is_named_in_xrays_error_shape(xray: RunningDaemon) -> None:
    with pytest.raises(ClientError) as caught:
        await call(xray_client(xray).get_encryption_config)
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidRequestException"
    assert "GetEncryptionConfig is not supported" in error["Message"]
