"""Every query of the schema against real data."""

from __future__ import annotations

from tests.support.graphql import Account, GraphQLClient

FEED = """
query Feed($first: Int, $comments: Int) {
  posts(first: $first) {
    totalCount
    edges { node {
      id title content createdAt updatedAt
      author { username postCount }
      commentCount
      comments(first: $comments) {
        totalCount
        edges { node { body author { username } post { id } } }
      }
    } }
  }
}"""


async def _board(client: GraphQLClient) -> tuple[Account, Account, list[str]]:
    alice = await client.sign_up("alice")
    bob = await client.sign_up("bob")
    posts = [await client.create_post(alice, f"a{i}") for i in range(3)]
    posts.append(await client.create_post(bob, "b0"))
    for n in range(3):
        await client.add_comment(bob, posts[0], f"comment {n}")
    return alice, bob, posts


async def test_feed_is_newest_first_with_authors_counts_and_comments(client: GraphQLClient) -> None:
    _, _, posts = await _board(client)
    data = await client.data(FEED, {"first": 10, "comments": 2})

    feed = data["posts"]
    assert feed["totalCount"] == 4
    nodes = [edge["node"] for edge in feed["edges"]]
    assert [node["id"] for node in nodes] == list(reversed(posts))
    assert [node["author"]["username"] for node in nodes] == ["bob", "alice", "alice", "alice"]
    assert nodes[1]["author"]["postCount"] == 3
    oldest = nodes[-1]
    assert oldest["commentCount"] == 3
    assert oldest["comments"]["totalCount"] == 3
    comments = [edge["node"] for edge in oldest["comments"]["edges"]]
    assert [comment["body"] for comment in comments] == ["comment 2", "comment 1"]
    assert {comment["post"]["id"] for comment in comments} == {posts[0]}


async def test_posts_by_author_username_ignores_case(client: GraphQLClient) -> None:
    await _board(client)
    query = (
        "query($u: String) { posts(authorUsername: $u) { totalCount edges { node { title } } } }"
    )
    data = await client.data(query, {"u": "BOB"})
    assert data["posts"]["totalCount"] == 1
    assert data["posts"]["edges"][0]["node"]["title"] == "b0"
    nobody = await client.data(query, {"u": "nobody"})
    assert nobody["posts"] == {"totalCount": 0, "edges": []}


async def test_post_by_id_and_missing_post(client: GraphQLClient) -> None:
    _, _, posts = await _board(client)
    query = "query($id: ID!) { post(id: $id) { id title author { username } } }"
    data = await client.data(query, {"id": posts[1]})
    assert data["post"] == {"id": posts[1], "title": "a1", "author": {"username": "alice"}}
    assert (await client.data(query, {"id": "999999"}))["post"] is None


async def test_user_and_users(client: GraphQLClient) -> None:
    await _board(client)
    data = await client.data(
        """{ user(username: "ALICE") { username postCount posts(first: 2) { totalCount
               edges { node { title } } pageInfo { hasNextPage } } }
             users { totalCount edges { node { username } } } }"""
    )
    user = data["user"]
    assert user["username"] == "alice"
    assert user["postCount"] == 3
    assert user["posts"]["totalCount"] == 3
    assert [e["node"]["title"] for e in user["posts"]["edges"]] == ["a2", "a1"]
    assert user["posts"]["pageInfo"]["hasNextPage"] is True
    assert data["users"]["totalCount"] == 2
    assert [e["node"]["username"] for e in data["users"]["edges"]] == ["bob", "alice"]
    assert (await client.data('{ user(username: "ghost") { id } }'))["user"] is None


async def test_viewer_is_the_token_holder_or_null(client: GraphQLClient) -> None:
    alice, _, _ = await _board(client)
    assert (await client.data("{ viewer { username } }"))["viewer"] is None
    data = await client.data("{ viewer { id username } }", token=alice.token)
    assert data["viewer"] == {"id": alice.id, "username": "alice"}


async def test_related_posts_are_the_same_authors_others_newest_first(
    client: GraphQLClient,
) -> None:
    _, _, posts = await _board(client)
    query = "query($id: ID!, $n: Int) { post(id: $id) { related(first: $n) { id } } }"
    related = (await client.data(query, {"id": posts[1], "n": 5}))["post"]["related"]
    assert [post["id"] for post in related] == [posts[2], posts[0]]
    one = (await client.data(query, {"id": posts[2], "n": 1}))["post"]["related"]
    assert [post["id"] for post in one] == [posts[1]]
    bobs = (await client.data(query, {"id": posts[3], "n": 5}))["post"]["related"]
    assert bobs == []


async def test_healthz_reports_the_database(client: GraphQLClient) -> None:
    response = await client.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


async def test_graphiql_is_served_to_browsers(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
