"""What the spec and a careful client expect at the HTTP boundary, request by request."""

from __future__ import annotations

import pytest

from tests.support.graphql import GraphQLClient

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"null", "The request body must be a JSON object"),
        (b"42", "The request body must be a JSON object"),
        (b'"x"', "The request body must be a JSON object"),
        (b"[]", "The request body must be a JSON object"),
        (b'{"query": "{ viewer { id } }"\xff}', "The request body is not valid UTF-8"),
        (b"{", "The request body is not valid JSON"),
    ],
)
async def test_a_body_that_is_not_a_json_object_is_400_with_a_clear_message(
    client: GraphQLClient, body: bytes, message: str
) -> None:
    response = await client.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith(message)


async def test_an_unsupported_content_type_is_415(client: GraphQLClient) -> None:
    response = await client.http.post(
        "/graphql", content=b"query=%7B%7D", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["errors"][0]["message"]


async def test_a_mutation_over_get_is_405_naming_post(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", params={"query": "mutation { deletePost(id: 1) }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "send them with POST" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "{ viewer {",
        "{ nope }",
        "{ posts(first: 100) { edges { node { related(first: 100) { related(first: 100) { id } } } } } }",  # noqa: E501
    ],
    ids=["parse", "validation", "too-complex"],
)
async def test_request_errors_are_400_without_data_under_graphql_response_json(
    client: GraphQLClient, query: str
) -> None:
    modern = await client.post(query, headers={"accept": GRAPHQL_RESPONSE})
    legacy = await client.post(query, headers={"accept": "application/json"})
    assert modern.status_code == 400
    assert modern.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in modern.json()
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")
    assert "data" not in legacy.json()


async def test_field_errors_stay_200_with_data_under_graphql_response_json(
    client: GraphQLClient,
) -> None:
    response = await client.post(
        'mutation { createPost(title: "t", content: "c") { id } }',
        headers={"accept": f"application/json;q=0.5, {GRAPHQL_RESPONSE}"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert response.json()["data"] is None
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
