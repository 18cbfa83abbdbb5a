"""The X-Ray API through boto3's xray client: real botocore serialisation against `board xray`."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from tests.support.daemon import call, send, stored, xray_client
from tests.support.documents import segment, sql, streamed, subsegment, trace_id
from xray_local.server import RunningDaemon


async def test_trace_summaries_filter_and_carry_xray_fields(xray: RunningDaemon) -> None:
    feed, create = trace_id(), trace_id()
    send(
        xray,
        segment(feed, operation="Feed", user="haandol", seconds=0.4, username="haandol"),
        segment(create, operation="CreatePost", status=500, seconds=0.1, operation_type="mutation"),
    )
    await stored(xray, 2)
    client = xray_client(xray)
    window = {"StartTime": time.time() - 60, "EndTime": time.time() + 60}

    everything = (await call(client.get_trace_summaries, **window))["TraceSummaries"]
    assert {summary["Id"] for summary in everything} == {feed, create}

    (summary,) = (
        await call(
            client.get_trace_summaries, **window, FilterExpression='annotation.username = "haandol"'
        )
    )["TraceSummaries"]
    assert summary["Id"] == feed
    assert summary["Annotations"]["operation_name"] == [
        {
            "AnnotationValue": {"StringValue": "Feed"},
            "ServiceIds": [{"Name": "board-api", "Names": ["board-api"]}],
        }
    ]
    assert summary["Http"]["HttpStatus"] == 200
    assert summary["Http"]["HttpMethod"] == "POST"
    assert summary["ResponseTime"] == pytest.approx(0.4)
    assert summary["Users"] == [
        {"UserName": "haandol", "ServiceIds": [{"Name": "board-api", "Names": ["board-api"]}]}
    ]
    assert summary["HasFault"] is False
    assert summary["ServiceIds"][0]["Name"] == "board-api"

    (faulty,) = (await call(client.get_trace_summaries, **window, FilterExpression="fault"))[
        "TraceSummaries"
    ]
    assert faulty["Id"] == create
    assert faulty["HasFault"] is True


async def test_a_bad_filter_is_a_400_naming_the_problem(xray: RunningDaemon) -> None:
    with pytest.raises(ClientError) as caught:
        await call(
            xray_client(xray).get_trace_summaries,
            StartTime=time.time() - 60,
            EndTime=time.time(),
            FilterExpression="responsetime >",
        )
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "InvalidRequestException"
    assert "expression ends where a value was expected" in error["Error"]["Message"]


async def test_batch_get_traces_returns_whole_reassembled_documents(xray: RunningDaemon) -> None:
    trace = trace_id()
    root = segment(trace, subsegments=[])
    child = subsegment("Query.posts", root["start_time"], 0.05)
    send(xray, streamed(child, root, trace), root)
    await stored(xray, 2)

    answer = await call(
        xray_client(xray).batch_get_traces, TraceIds=[trace, "1-00000000-000000000000000000000000"]
    )
    (found,) = answer["Traces"]
    assert found["Id"] == trace
    (document,) = [json.loads(s["Document"]) for s in found["Segments"]]
    assert [sub["name"] for sub in document["subsegments"]] == ["Query.posts"]
    assert answer["UnprocessedTraceIds"] == ["1-00000000-000000000000000000000000"]


async def test_the_service_graph_infers_the_database_from_sql(xray: RunningDaemon) -> None:
    trace = trace_id()
    start = time.time() - 1
    send(
        xray,
        segment(
            trace,
            start=start,
            subsegments=[subsegment("Query.posts", start, 0.05, subsegments=[sql(start, 0.01)])],
        ),
    )
    await stored(xray, 1)
    graph = await call(
        xray_client(xray).get_service_graph, StartTime=start - 60, EndTime=time.time() + 60
    )
    services = {service["Name"]: service for service in graph["Services"]}
    assert services["client"]["Type"] == "client"
    assert services["postgres@localhost"]["Type"] == "Database::SQL"
    ids = {service["ReferenceId"]: name for name, service in services.items()}
    api_edges = {ids[edge["ReferenceId"]]: edge for edge in services["board-api"]["Edges"]}
    database = api_edges["postgres@localhost"]
    assert database["SummaryStatistics"]["TotalCount"] == 1
    assert database["SummaryStatistics"]["TotalResponseTime"] == pytest.approx(0.01)
    assert database["ResponseTimeHistogram"] == [{"Value": 0.01, "Count": 1}]
    (client_edge,) = services["client"]["Edges"]
    assert ids[client_edge["ReferenceId"]] == "board-api"


async def test_sampling_rules_and_targets_follow_the_rule_file(xray: RunningDaemon) -> None:
    client = xray_client(xray)
    (record,) = (
        await call(
            client.get_sampling_rules,
        )
    )["SamplingRuleRecords"]
    rule = record["SamplingRule"]
    assert (rule["RuleName"], rule["ReservoirSize"], rule["FixedRate"]) == ("Default", 1, 0.05)
    targets = await call(
        client.get_sampling_targets,
        SamplingStatisticsDocuments=[
            {
                "RuleName": "Default",
                "ClientID": "a" * 24,
                "Timestamp": time.time(),
                "RequestCount": 10,
                "SampledCount": 2,
                "BorrowCount": 1,
            },
            {
                "RuleName": "Nope",
                "ClientID": "a" * 24,
                "Timestamp": time.time(),
                "RequestCount": 1,
                "SampledCount": 0,
                "BorrowCount": 0,
            },
        ],
    )
    (target,) = targets["SamplingTargetDocuments"]
    assert (target["RuleName"], target["FixedRate"], target["ReservoirQuota"]) == (
        "Default",
        0.05,
        1,
    )
    assert target["ReservoirQuotaTTL"].timestamp() > time.time()
    assert [u["RuleName"] for u in targets["UnprocessedStatistics"]] == ["Nope"]
