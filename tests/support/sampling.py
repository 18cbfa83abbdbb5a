"""Sampling fixtures shared by the sampling tests: rule files, requests, a clock and a coin."""

from __future__ import annotations

from tracing.sampling.sampler import SamplingRequest

SEED_RULE = {  # the tutorial's get_posts_rule.json
    "version": 1,
    "rules": [
        {
            "description": "Get Posts",
            "service_name": "xray-tutorial",
            "http_method": "POST",
            "url_path": "/posts/*",
            "fixed_target": 0,
            "rate": 1,
        }
    ],
    "default": {"fixed_target": 0, "rate": 1},
}
GRAPHQL_RULES = {
    "version": 2,
    "rules": [
        {"description": "writes", "operation_name": "CreatePost", "fixed_target": 0, "rate": 1},
        {"description": "feed", "operation_name": "Feed*", "fixed_target": 1, "rate": 0.05},
        {"description": "mutations", "operation_type": "mutation", "fixed_target": 0, "rate": 1},
        {
            "description": "health",
            "http_method": "GET",
            "url_path": "/graphql",
            "fixed_target": 0,
            "rate": 0,
            "host": "internal.*",
        },
        {"description": "live", "operation_type": "subscription", "fixed_target": 0, "rate": 1},
        {"description": "beta", "url_path": "/graphql/*", "fixed_target": 0, "rate": 1},
    ],
    "default": {"fixed_target": 0, "rate": 0.01},
}


def request(
    name: str | None = None,
    kind: str = "query",
    *,
    method: str = "POST",
    host: str = "board.test",
    path: str = "/graphql",
    service: str = "board-api",
) -> SamplingRequest:
    return SamplingRequest(
        host=host,
        service_name=service,
        method=method,
        path=path,
        operation_name=name,
        operation_type=kind,
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def never() -> float:
    return 0.999_999  # the top of random.random's range: below a rate of 1 only
