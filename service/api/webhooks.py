"""Webhooks: a URL that is POSTed, signed, the events it asked for (service/webhooks.py).

A token bound to a project makes, sees and deletes its project's webhooks only; an
unbound one (an admin's, or auth off) may make one of every project (no `project`). Every
route needs the write role (DELETE: admin): a webhook's URL may carry a receiver's secret
(Slack's and others' URLs do), which a read-only token must not learn.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from service.access import Principal
from service.api.deps import PagingDep, PrincipalDep, StoresDep, need
from service.errors import NotFound
from service.schemas import Page, Role, Webhook, WebhookCreate, WebhookDelivery
from service.store import Stores
from service.webhooks import check_url

router = APIRouter(prefix="/webhooks", tags=["webhooks"], dependencies=[need(Role.write)])


@router.post("", status_code=201)
def create_webhook(body: WebhookCreate, stores: StoresDep, principal: PrincipalDep) -> Webhook:
    """A webhook: each event of the types in `events` (of `project`; none: the token's
    project, or every project for an unbound token) is POSTed to `url` as JSON, signed
    (X-Fitdoc-Signature: sha256=HMAC-SHA256 of the body with `secret`), with X-Fitdoc-Event
    and X-Fitdoc-Delivery (the same on every retry; de-duplicate by it). Failed deliveries
    are retried with exponential backoff for a bounded time. 422 on `url` for one that is
    not http(s) or whose host resolves to a link-local or metadata address."""
    project = body.project
    if principal.project_id is not None:
        if project is None:
            project = principal.project_id
        principal.check(project, "project", project, "project")
    destination = check_url(body.url)
    body = body.model_copy(update={"url": destination.url})
    return stores.webhooks.create(body, project, created_by=principal.token_id)


@router.get("")
def list_webhooks(
    stores: StoresDep, paging: PagingDep, principal: PrincipalDep, project: str | None = None
) -> Page[Webhook]:
    """Newest first; `project`: only that project's (an unbound token's list also has the
    webhooks of every project, unless it names one)."""
    return stores.webhooks.list(paging.limit, paging.cursor, principal.scope(project))


def _visible(stores: Stores, principal: Principal, webhook_id: str) -> Webhook:
    webhook = stores.webhooks.get(webhook_id)
    if principal.project_id is not None and (
        webhook.project is None or not principal.sees(webhook.project)
    ):
        raise NotFound.missing("webhook", webhook_id)
    return webhook


@router.get("/{webhook_id}")
def read_webhook(webhook_id: str, stores: StoresDep, principal: PrincipalDep) -> Webhook:
    return _visible(stores, principal, webhook_id)


@router.delete("/{webhook_id}", status_code=204)
def delete_webhook(webhook_id: str, stores: StoresDep, principal: PrincipalDep) -> Response:
    """The webhook and its deliveries: nothing more is sent to it."""
    _visible(stores, principal, webhook_id)
    stores.webhooks.delete(webhook_id)
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries")
def list_deliveries(
    webhook_id: str, stores: StoresDep, paging: PagingDep, principal: PrincipalDep
) -> Page[WebhookDelivery]:
    """Its deliveries, newest first: status (pending, delivered, failed), attempts, the
    last attempt's HTTP status and the last error."""
    _visible(stores, principal, webhook_id)
    return stores.webhooks.deliveries(webhook_id, paging.limit, paging.cursor)
