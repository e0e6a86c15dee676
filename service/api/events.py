"""GET /api/v1/events: the event log, live as server-sent events, or a page of it as JSON.

`Accept: text/event-stream` (what EventSource and SSE clients send) streams the events
from now on, or after `Last-Event-ID` (or `?after=`) from the log without loss, each with
its position as the SSE id and its type as the SSE event name; a comment line every
FITDOC_SSE_PING_SECONDS keeps proxies from closing an idle stream. Any other Accept gets
the events after `after` as a JSON page (for pollers), at once.
"""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from service.api.deps import PrincipalDep, SettingsDep, StoresDep
from service.errors import Invalid
from service.live import EventFilter
from service.schemas import Event, EventPage, EventType
from service.store import Stores

router = APIRouter(prefix="/events", tags=["events"])

STREAM = "text/event-stream"
TYPES = ", ".join(t.value for t in EventType)


@router.get(
    "",
    response_model=EventPage,
    responses={200: {"content": {STREAM: {"schema": {
        "type": "string",
        "description": "server-sent events: `id` (the position), `event` (the type), "
        "`data` (an Event as JSON)",
    }}}}},
)
async def read_events(
    request: Request,
    stores: StoresDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    project: Annotated[str | None, Query(description="a project's name or id")] = None,
    run: Annotated[str | None, Query(description="a run's id")] = None,
    types: Annotated[str | None, Query(description=f"comma-separated, of: {TYPES}")] = None,
    after: Annotated[int | None, Query(ge=0, le=2**63 - 1,
                                       description="the position to resume after")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="JSON only: events per page")] = 100,
    last_event_id: Annotated[str, Header(
        alias="Last-Event-ID", pattern=r"^\s*([0-9]{1,18})?\s*$",
        description="the id of the last event received: resume after it")] = "",
) -> EventPage | EventSourceResponse:
    wanted = await anyio.to_thread.run_sync(
        lambda: event_filter(stores, principal, project, run, types)
    )
    if last_event_id.strip():
        after = _position(last_event_id)
    if STREAM not in request.headers.get("accept", ""):

        def read_page() -> list[Event]:
            stores.events.sequence()  # PostgreSQL: number what has committed (no hub may)
            return wanted.read(stores.events, after or 0, limit)

        page = await anyio.to_thread.run_sync(read_page)
        return EventPage(items=page, last_id=page[-1].id if page else after or 0)
    hub = request.app.state.hub
    if after is None:
        # "From now on" is from this request: the log's end is read before the response
        # starts, so an event committed once the client has its headers is never missed.
        after = await anyio.to_thread.run_sync(stores.events.end)

    async def messages():  # type: ignore[no-untyped-def]
        async for event in hub.stream(wanted, after):
            yield ServerSentEvent(
                data=event.model_dump_json(), event=event.type.value, id=str(event.id)
            )

    return EventSourceResponse(
        messages(), ping=settings.sse_ping_seconds, headers={"X-Accel-Buffering": "no"}
    )


def event_filter(
    stores: Stores, principal, project: str | None, run: str | None, types: str | None
) -> EventFilter:  # type: ignore[no-untyped-def]
    """The events the caller asks for and may see: a token bound to a project sees its
    project's only; an unknown (or unseen) project or run is a 404."""
    scoped = principal.scope(project)
    project_ids = None
    if scoped is not None:
        project_ids = frozenset({stores.tracking.get_project(scoped).id})
    if run is not None:
        found = stores.tracking.get_run(run)
        principal.check(found.project, "run", run, "run")
    wanted_types = None
    if types is not None:
        names = [name.strip() for name in types.split(",") if name.strip()]
        unknown = [name for name in names if name not in EventType._value2member_map_]
        if unknown:
            raise Invalid(f"unknown event type {unknown[0]!r}; one of: {TYPES}",
                          field="types")
        wanted_types = frozenset(EventType(name) for name in names) or None  # empty: any
    return EventFilter(project_ids=project_ids, run_id=run, types=wanted_types)


def _position(value: str) -> int:
    try:
        position = int(value.strip())
    except ValueError:
        position = -1
    if not 0 <= position < 2**63:
        raise Invalid("Last-Event-ID must be an event's id (a whole number)",
                      field="Last-Event-ID")
    return position
