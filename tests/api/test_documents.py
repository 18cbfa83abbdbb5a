"""Cached documents: a repeated operation is parsed and validated once; errors stay fresh."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import httpx
import pytest
from graphql import parse
from graphql.validation import ValidationRule
from strawberry.extensions import AddValidationRules

from db.engine import Database
from graph.app import create_app
from graph.documents import DocumentCache
from graph.schema import build_schema
from graph.tokens import TokenSigner
from tests.support.graphql import GraphQLClient, error_codes

validated: list[str] = []


class NoteValidation(ValidationRule):
    """Notes every document it validates: how often validation really ran."""

    def enter_document(self, *_: Any) -> None:
        validated.append("document")


@pytest.fixture
async def noting(database: Database, tokens: TokenSigner) -> AsyncIterator[GraphQLClient]:
    validated.clear()
    schema = build_schema([partial(AddValidationRules, [NoteValidation])])
    app = create_app(database, schema, tokens=tokens)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://board.test"
    ) as http:
        yield GraphQLClient(http)


async def test_a_repeated_operation_is_validated_once(noting: GraphQLClient) -> None:
    query = "query($first: Int!) { posts(first: $first) { edges { node { id } } } }"
    for first in (1, 2, 3):
        assert await noting.data(query, {"first": first}) == {"posts": {"edges": []}}
    assert len(validated) == 1
    await noting.data("{ users { edges { node { id } } } }")
    assert len(validated) == 2


async def test_an_invalid_operation_fails_validation_every_time(noting: GraphQLClient) -> None:
    for _ in range(2):
        payload = await noting.execute("{ posts { edges { node { nosuchfield } } } }")
        assert error_codes(payload) == ["GRAPHQL_VALIDATION_FAILED"]
        assert "nosuchfield" in payload["errors"][0]["message"]
    assert len(validated) == 2


async def test_a_syntax_error_is_reported_every_time(noting: GraphQLClient) -> None:
    for _ in range(2):
        payload = await noting.execute("{ posts { ")
        assert error_codes(payload) == ["GRAPHQL_PARSE_FAILED"]


def test_the_cache_keeps_the_most_recently_used_documents() -> None:
    cache = DocumentCache(max_entries=2)
    cache.put("a", parse("{ a }"))
    cache.put("b", parse("{ b }"))
    assert cache.get("a") is not None  # now the most recently used
    cache.put("c", parse("{ c }"))
    assert len(cache) == 2
    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert cache.get("c") is not None
