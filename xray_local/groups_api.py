"""CreateGroup, GetGroup, GetGroups, UpdateGroup and DeleteGroup at X-Ray's paths and shapes."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from xray_local.groups import GroupError, GroupStore
from xray_local.operation import InvalidRequest, operation


def group_routes(groups: GroupStore) -> list[Route]:
    async def create_group(body: dict[str, Any]) -> dict[str, Any]:
        name = _text(body, "GroupName")
        expression = _text(body, "FilterExpression", required=False)
        return {"Group": _guarded(lambda: groups.create(name, expression).as_xray())}

    async def get_group(body: dict[str, Any]) -> dict[str, Any]:
        wanted = _named(body)
        group = groups.find(wanted)
        if group is None:
            raise InvalidRequest(f"Group not found: {wanted}")
        return {"Group": group.as_xray()}

    async def get_groups(body: dict[str, Any]) -> dict[str, Any]:
        return {"Groups": [group.as_xray() for group in groups.all()]}

    async def update_group(body: dict[str, Any]) -> dict[str, Any]:
        wanted = _named(body)
        expression = _text(body, "FilterExpression", required=False)
        return {"Group": _guarded(lambda: groups.update(wanted, expression).as_xray())}

    async def delete_group(body: dict[str, Any]) -> dict[str, Any]:
        wanted = _named(body)
        _guarded(lambda: groups.delete(wanted))
        return {}

    return [
        Route("/CreateGroup", operation(create_group), methods=["POST"]),
        Route("/GetGroup", operation(get_group), methods=["POST"]),
        Route("/Groups", operation(get_groups), methods=["POST"]),
        Route("/UpdateGroup", operation(update_group), methods=["POST"]),
        Route("/DeleteGroup", operation(delete_group), methods=["POST"]),
    ]


def _guarded(action: Any) -> Any:
    try:
        return action()
    except GroupError as error:
        raise InvalidRequest(str(error)) from error


def _named(body: dict[str, Any]) -> str:
    wanted = body.get("GroupARN") or body.get("GroupName")
    if not isinstance(wanted, str) or not wanted:
        raise InvalidRequest("GroupName or GroupARN is required")
    return wanted


def _text(body: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = body.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value):
        raise InvalidRequest(f"{key} must be a string")
    return value
