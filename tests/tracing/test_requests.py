"""Per request: headers, users, concurrency, and tracing trouble never hurting a request."""

from __future__ import annotations

import asyncio
import re
import socket
from dataclasses import replace

from db.engine import Database
from graph.tokens import TokenSigner
from tests.support.feed import FEED, SECRET_BODY, SECRET_TITLE, seed_feed
from tests.support.graphql import CREATE_POST, GraphQLClient
from tests.support.traced_app import traced_http
from tests.support.xray import UdpCollector, children, named
from tracing import TracingConfig

ROOT = "1-5759e988-bd862e3fe1be46a994272793"
PARENT = "53995c3f42cd8ad8"
PASSWORD = "hunter2-is-a-password"


def header_fields(value: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in value.split(";"))


async def test_response_header_and_trace_id_agree(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    response = await traced.post("query Viewer { viewer { username } }")
    fields = header_fields(response.headers["x-amzn-trace-id"])
    assert fields["Sampled"] == "1"
    assert fields["Root"] == response.json()["extensions"]["traceId"]
    segment = await daemon.trace(fields["Root"])
    assert segment["annotations"]["operation_name"] == "Viewer"


async def test_an_incoming_trace_header_is_continued(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    header = f"Root={ROOT};Parent={PARENT};Sampled=1"
    response = await traced.post("{ viewer { username } }", headers={"X-Amzn-Trace-Id": header})
    assert response.json()["extensions"]["traceId"] == ROOT
    segment = await daemon.trace(ROOT)
    assert segment["parent_id"] == PARENT
    assert "operation_name" not in segment["annotations"]
    assert segment["annotations"]["operation_type"] == "query"


async def test_an_incoming_unsampled_decision_is_kept_and_nothing_is_sent(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    header = f"Root={ROOT};Sampled=0"
    response = await traced.post("{ viewer { username } }", headers={"X-Amzn-Trace-Id": header})
    assert response.status_code == 200
    assert response.json()["extensions"]["traceId"] == ROOT
    assert header_fields(response.headers["x-amzn-trace-id"]) == {"Root": ROOT, "Sampled": "0"}
    await traced.post("{ viewer { username } }")  # a sampled request after it arrives alone
    await asyncio.sleep(0.05)
    assert all(doc["trace_id"] != ROOT for doc in daemon.documents())


async def test_a_malformed_incoming_header_starts_a_new_trace(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    header = "Root=1-nothex-zz;Parent=short;Sampled=1"
    response = await traced.post("{ viewer { username } }", headers={"X-Amzn-Trace-Id": header})
    trace_id = response.json()["extensions"]["traceId"]
    assert re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", trace_id)
    segment = await daemon.trace(trace_id)
    assert "parent_id" not in segment


async def test_signed_in_user_and_mutation_are_annotated_without_stored_text(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    account = await traced.sign_up("haandol", PASSWORD)
    response = await traced.post(
        CREATE_POST, {"title": SECRET_TITLE, "content": SECRET_BODY}, token=account.token
    )
    segment = await daemon.trace(response.json()["extensions"]["traceId"])
    assert segment["user"] == "haandol"
    assert segment["annotations"] == {
        "operation_name": "CreatePost",
        "operation_type": "mutation",
        "username": "haandol",
        "query_cost": 6,  # createPost, id, title, content, author, author.username
    }
    (create,) = named(segment, "Mutation.createPost")
    assert create["metadata"]["graphql"]["arguments"] == {
        "title": "[redacted]",
        "content": "[redacted]",
    }
    everything = b"".join(daemon.datagrams)
    for secret in (PASSWORD, SECRET_TITLE, SECRET_BODY, account.token):
        assert secret.encode() not in everything


async def test_sign_up_marks_the_new_user_on_its_own_trace(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    response = await traced.post(
        "mutation SignUp($u: String!, $p: String!)"
        " { signUp(username: $u, password: $p) { token } }",
        {"u": "vincent", "p": PASSWORD},
    )
    segment = await daemon.trace(response.json()["extensions"]["traceId"])
    assert segment["annotations"]["username"] == "vincent"
    (sign_up,) = named(segment, "Mutation.signUp")
    assert sign_up["metadata"]["graphql"]["arguments"]["password"] == "[redacted]"


async def test_thirty_concurrent_requests_each_give_one_whole_nested_trace(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    await seed_feed(database, users=4, posts=6, comments=3)
    responses = await asyncio.gather(
        *(traced.post(FEED, {"first": 1 + n % 6, "comments": 1 + n % 3}) for n in range(30))
    )
    for n, response in enumerate(responses):
        first, comments = 1 + n % 6, 1 + n % 3
        segment = await daemon.trace(response.json()["extensions"]["traceId"])
        (execute,) = named(segment, "graphql.execute")
        assert children(execute) == ["Query.posts"]
        assert len(named(segment, "Post.comments")) == first
        for post_comments in named(segment, "Post.comments"):
            prefix = post_comments["metadata"]["graphql"]["path"]
            authors = named(post_comments, "Comment.author")
            assert len(authors) == comments
            assert all(a["metadata"]["graphql"]["path"].startswith(prefix) for a in authors)
    assert len(daemon.segments()) == 30


def closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_requests_succeed_when_no_daemon_listens(
    database: Database, tokens: TokenSigner, tracing_config: TracingConfig
) -> None:
    await seed_feed(database, users=2, posts=3, comments=2)
    config = replace(tracing_config, daemon_address=f"127.0.0.1:{closed_udp_port()}")
    async with traced_http(database, tokens, config) as http:
        client = GraphQLClient(http)
        responses = [await client.post(FEED, {"first": 3, "comments": 2}) for _ in range(20)]
    assert {response.status_code for response in responses} == {200}
    assert all("errors" not in response.json() for response in responses)


async def test_graphiql_page_gets_a_header_but_no_trace(
    database: Database, traced: GraphQLClient, daemon: UdpCollector
) -> None:
    page = await traced.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert header_fields(page.headers["x-amzn-trace-id"])["Sampled"] == "0"
    query = await traced.http.get("/graphql", params={"query": "query Viewer { viewer { id } }"})
    trace_id = query.json()["extensions"]["traceId"]
    segment = await daemon.trace(trace_id)
    assert segment["http"]["request"]["method"] == "GET"
    assert segment["http"]["request"]["url"] == "http://board.test/graphql"
    assert [doc["trace_id"] for doc in daemon.segments()] == [trace_id]
