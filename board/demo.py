"""The seed tutorial's scenario, replayed against a running server and the X-Ray daemon.

Migrations twice (the second is a no-op, where the tutorial's second ``/init`` failed), two users
writing 15 posts each, a burst of feed queries (with fault injection on, some fail), then the
traces found again by username through the X-Ray API, and where to look at them.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import boto3
import httpx
from sqlalchemy.engine import URL

from board.migrations import current_revision, upgrade
from board.seed_data import DEMO_PASSWORD

USERS = ("haandol", "vincent")
SIGN_UP = (
    "mutation SignUp($u: String!, $p: String!)"
    " { auth: signUp(username: $u, password: $p) { token } }"
)
SIGN_IN = (
    "mutation SignIn($u: String!, $p: String!)"
    " { auth: signIn(username: $u, password: $p) { token } }"
)
CREATE_POST = (
    "mutation CreatePost($title: String!, $content: String!)"
    " { createPost(title: $title, content: $content) { id } }"
)
FEED = (
    "query Feed { posts(first: 10) { edges { node { title author { username } commentCount"
    " comments(first: 5) { edges { node { body author { username } } } } } } } }"
)
BURST_CONCURRENCY = 8

Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoPlan:
    graphql_url: str
    xray_url: str
    posts_per_user: int = 15
    burst: int = 40
    trace_wait_seconds: float = 20.0


@dataclass
class DemoResult:
    traces_by_user: dict[str, int] = field(default_factory=dict)
    failed_feed_requests: int = 0
    p95_by_operation: dict[str, float] = field(default_factory=dict)


def migrate_twice(url: URL, say: Say) -> None:
    before = current_revision(url)
    upgrade(url)
    first = current_revision(url)
    upgrade(url)
    second = current_revision(url)
    say(f"alembic upgrade head: {before or 'empty'} -> {first}")
    verdict = "a no-op" if second == first else f"moved to {second}"
    say(f"alembic upgrade head again: {verdict} (the tutorial's second /init failed with 400)")


async def run_demo(plan: DemoPlan, say: Say) -> DemoResult:
    started = time.time()
    result = DemoResult()
    async with httpx.AsyncClient(timeout=30) as http:
        for username in USERS:
            token = await _account(http, plan.graphql_url, username)
            for n in range(1, plan.posts_per_user + 1):
                await _graphql(
                    http,
                    plan.graphql_url,
                    CREATE_POST,
                    {"title": f"Demo post {n} by {username}", "content": "Written by board demo."},
                    token=token,
                )
            say(f"{username}: signed in and wrote {plan.posts_per_user} posts")
        result.failed_feed_requests = await _burst(http, plan)
    say(
        f"feed burst: {plan.burst} requests, {result.failed_feed_requests} with errors"
        + ("" if result.failed_feed_requests else " (set BOARD_CHAOS_ERROR_RATE on the server)")
    )
    xray = _xray_client(plan.xray_url)
    for username in USERS:
        expression = _created_by(username)
        result.traces_by_user[username] = await _await_traces(
            xray, expression, started, plan.posts_per_user, plan.trace_wait_seconds
        )
    result.p95_by_operation = await asyncio.to_thread(_p95_by_operation, xray, started)
    _print_links(plan, result, say)
    return result


async def _account(http: httpx.AsyncClient, url: str, username: str) -> str:
    variables = {"u": username, "p": DEMO_PASSWORD}
    payload = await _graphql(http, url, SIGN_UP, variables, allow_errors=True)
    if not payload.get("data"):  # the user exists already: sign in instead
        payload = await _graphql(http, url, SIGN_IN, variables)
    token: str = payload["data"]["auth"]["token"]
    return token


async def _graphql(
    http: httpx.AsyncClient,
    url: str,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    allow_errors: bool = False,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post(url, json={"query": query, "variables": variables}, headers=headers)
    response.raise_for_status()
    payload: dict[str, Any] = response.json()
    if payload.get("errors") and not allow_errors:
        raise RuntimeError(f"GraphQL errors: {payload['errors']}")
    return payload


async def _burst(http: httpx.AsyncClient, plan: DemoPlan) -> int:
    gate = asyncio.Semaphore(BURST_CONCURRENCY)

    async def one() -> bool:
        async with gate:
            payload = await _graphql(http, plan.graphql_url, FEED, allow_errors=True)
            return bool(payload.get("errors"))

    failures = await asyncio.gather(*(one() for _ in range(plan.burst)))
    return sum(failures)


def _xray_client(endpoint: str) -> Any:
    # The local daemon does not check signatures; the credentials only satisfy botocore.
    return boto3.client(
        "xray",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def _created_by(username: str) -> str:
    return f'annotation.username = "{username}" AND annotation.operation_name = "CreatePost"'


def _summaries(xray: Any, started: float, expression: str | None = None) -> list[dict[str, Any]]:
    arguments: dict[str, Any] = {"StartTime": started - 5, "EndTime": time.time() + 5}
    if expression:
        arguments["FilterExpression"] = expression
    found: list[dict[str, Any]] = []
    for page in xray.get_paginator("get_trace_summaries").paginate(**arguments):
        found.extend(page["TraceSummaries"])
    return found


async def _await_traces(
    xray: Any, expression: str, started: float, expected: int, wait_seconds: float
) -> int:
    deadline = time.monotonic() + wait_seconds
    while True:
        count = len(await asyncio.to_thread(_summaries, xray, started, expression))
        if count >= expected or time.monotonic() > deadline:
            return count
        await asyncio.sleep(0.5)


def _p95_by_operation(xray: Any, started: float) -> dict[str, float]:
    times: defaultdict[str, list[float]] = defaultdict(list)
    for summary in _summaries(xray, started):
        values = summary.get("Annotations", {}).get("operation_name", [])
        for value in values:
            name = value["AnnotationValue"].get("StringValue")
            if name:
                times[name].append(summary.get("ResponseTime", 0.0))
    return {
        name: _p95(samples) for name, samples in sorted(times.items(), key=lambda item: item[0])
    }


def _p95(samples: list[float]) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def _print_links(plan: DemoPlan, result: DemoResult, say: Say) -> None:
    console = plan.xray_url.rstrip("/")
    for username, count in result.traces_by_user.items():
        expression = f'annotation.username = "{username}"'
        say(f"{count} CreatePost traces for {username}: {console}/?filter={quote(expression)}")
    errors = "error OR fault"
    say(f"requests that failed: {console}/?filter={quote(errors)}")
    slowest = sorted(result.p95_by_operation.items(), key=lambda item: -item[1])
    for name, p95 in slowest[:3]:
        say(f"P95 {name}: {p95 * 1000:.0f} ms")
    say(f"latency by operation and resolver: {console}/latency")
