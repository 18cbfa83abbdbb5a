"""GraphiQL served by the API itself: its scripts come from this server, not from a CDN.

Strawberry's page loads React and GraphiQL from unpkg.com; with no internet it stays at
"Loading..." for good (seen in headless Chromium), though GraphiQL is the first thing a user
opens. ``make install`` puts the npm packages pinned in ``graphiql_assets/package-lock.json``
under ``graphiql_assets/node_modules`` when ``npm`` is present; without them the page falls
back to the same versions on unpkg.com, checked by subresource integrity.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

ASSET_ROOT = Path(__file__).parent / "graphiql_assets" / "node_modules"
ASSET_PATH = "/graphiql"
CACHE_CONTROL = "public, max-age=86400"


@dataclass(frozen=True)
class Asset:
    local: str
    cdn: str
    integrity: str


ASSETS = {
    "react.js": Asset(
        "react/umd/react.production.min.js",
        "https://unpkg.com/react@18.2.0/umd/react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    "react-dom.js": Asset(
        "react-dom/umd/react-dom.production.min.js",
        "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    "graphiql.js": Asset(
        "graphiql/graphiql.min.js",
        "https://unpkg.com/graphiql@3.8.3/graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    "graphiql.css": Asset(
        "graphiql/graphiql.min.css",
        "https://unpkg.com/graphiql@3.8.3/graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
}

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Board API · GraphiQL</title>
<style>body{{margin:0;height:100vh}}#graphiql{{height:100vh}}</style>
{css}
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
{scripts}
<script>
  // ?q=…&variables=… open GraphiQL on that operation (?query= would run it: GraphQL over GET).
  const parameters = Object.fromEntries(new URLSearchParams(window.location.search));
  const fetcher = GraphiQL.createFetcher({{ url: window.location.pathname }});
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {{
      fetcher,
      defaultQuery: parameters.q || "{{ posts(first: 5) {{ edges {{ node {{ title }} }} }} }}",
      variables: parameters.variables,
      defaultEditorToolsVisibility: true,
    }}),
  );
</script>
</body>
</html>
"""


def installed() -> bool:
    return all((ASSET_ROOT / asset.local).is_file() for asset in ASSETS.values())


def graphiql_page() -> str:
    """The page, pointing at this server's copies when installed, else at the CDN's."""
    local = installed()

    def url(name: str) -> str:
        return f"{ASSET_PATH}/{name}" if local else ASSETS[name].cdn

    def checked(name: str) -> str:
        return "" if local else f' integrity="{ASSETS[name].integrity}" crossorigin="anonymous"'

    css = f'<link rel="stylesheet" href="{url("graphiql.css")}"{checked("graphiql.css")}>'
    scripts = "\n".join(
        f'<script src="{url(name)}"{checked(name)}></script>'
        for name in ("react.js", "react-dom.js", "graphiql.js")
    )
    return PAGE.format(css=css, scripts=scripts)


async def _asset(request: Request) -> Response:
    asset = ASSETS.get(request.path_params["name"])
    path = ASSET_ROOT / asset.local if asset else None
    if path is None or not path.is_file():
        return PlainTextResponse("Not Found", status_code=404)
    return FileResponse(path, headers={"Cache-Control": CACHE_CONTROL})


def graphiql_asset_routes() -> list[Route]:
    return [Route(f"{ASSET_PATH}/{{name}}", _asset, methods=["GET"])]
