"""Webhooks: the events a subscriber asked for, POSTed to its URL, signed, at least once.

- **Where a URL may point.** http(s) only, and not at a link-local or metadata address
  (169.254.0.0/16, fe80::/10, fd00:ec2::254, metadata.google.internal, 0.0.0.0/8, ::,
  multicast, broadcast): a webhook must not make fitdoc read a cloud's instance
  credentials for whoever registered it. Loopback and private addresses are allowed (a
  lab's bot on the same host or network). `check_url` resolves the host and checks every
  address, when the webhook is made (422 on `url`) and again before each attempt, and
  the attempt connects to the address it checked (DNS may change in between).
- **Dispatch.** `dispatch` reads the event log after the `webhooks` cursor, holding its
  row lock, and makes one delivery per (matching webhook, event) and moves the cursor in
  the same transaction; then it sends a Celery task per delivery (queue `<queue>.hooks`)
  and marks it sent. Each process that records events runs it right after their commit
  (`Dispatcher`, woken by `EventStore.appended`), and the sweeper once per pass: a
  process that died in between leaves its events to the next one. The lock serialises
  dispatchers, so a pair is made once whoever gets there.
- **Delivery.** `deliver` takes the delivery's attempt (`WebhookStore.claim`), POSTs
  `{"delivery_id", "webhook_id", "attempt", "timestamp", "event"}` with X-Fitdoc-Event,
  X-Fitdoc-Delivery (the same on every attempt) and X-Fitdoc-Signature (`sha256=` the
  HMAC-SHA256 of the body with the webhook's secret): a 2xx is delivered; anything else
  (another status, a redirect, a timeout, a refused address) is tried again after
  FITDOC_WEBHOOK_BACKOFF_SECONDS x 2^(attempt-1) (at most FITDOC_WEBHOOK_BACKOFF_MAX_SECONDS)
  by a Celery countdown, and fails after FITDOC_WEBHOOK_MAX_ATTEMPTS attempts. A countdown
  message that is lost is sent again by the sweeper (`send_due`). At least once: a
  receiver de-duplicates by X-Fitdoc-Delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import ssl
import time
import weakref
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from urllib.parse import urlsplit

import httpx
from celery import Celery

from service.background import Background
from service.errors import Invalid
from service.queue import enqueue_delivery
from service.schemas import DeliveryStatus
from service.settings import Settings
from service.store import EventStore, Stores
from service.store.db import utcnow
from service.store.webhooks import Target

log = logging.getLogger("fitdoc.webhooks")

SIGNATURE_HEADER = "X-Fitdoc-Signature"
EVENT_HEADER = "X-Fitdoc-Event"
DELIVERY_HEADER = "X-Fitdoc-Delivery"
USER_AGENT = "fitdoc-webhooks/1"
ERROR_CHARS = 500  # of a failed attempt's error, kept in last_error
READ_CHARS = 200  # of a receiver's answer, read into that error

# Names of metadata services, refused whatever they resolve to (a trailing dot and case
# do not matter).
BLOCKED_HOSTS = frozenset({"metadata.google.internal", "metadata.goog"})
# Addresses a webhook may not reach: link-local (cloud metadata at 169.254.169.254, AWS's
# IPv6 one at fd00:ec2::254), "this network" and unspecified, multicast, broadcast, and
# Alibaba Cloud's metadata address. IPv4-mapped IPv6 addresses are checked as IPv4.
BLOCKED_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "169.254.0.0/16", "0.0.0.0/8", "224.0.0.0/4", "255.255.255.255/32", "100.100.100.200/32",
    "fe80::/10", "fd00:ec2::254/128", "::/128", "ff00::/8",
))


class RefusedURL(Invalid):
    """A webhook URL fitdoc will not POST to (422 on `url` when a webhook is made)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="url")


def blocked_address(address: str) -> bool:
    """Whether an IP address (text) is one a webhook may not reach."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # fe80::1%eth0: the scope goes
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in BLOCKED_NETWORKS)


@dataclass(frozen=True)
class Destination:
    """A checked URL: its parts, and the address an attempt connects to."""

    url: str
    scheme: str
    host: str  # as in the URL, lower case, without brackets or a trailing dot
    port: int
    address: str  # the resolved IP the POST goes to


def check_url(url: str) -> Destination:
    """The URL's destination, or RefusedURL: not http(s), no host, a metadata name, a host
    that does not resolve, or one any of whose addresses is blocked."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as bad:
        raise RefusedURL(f"not a URL: {bad}") from bad
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RefusedURL("must be an http:// or https:// URL")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise RefusedURL("must name a host")
    if host in BLOCKED_HOSTS:
        raise RefusedURL(f"{host} is a cloud metadata service; a webhook may not reach it")
    port = port or (443 if scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as bad:
        raise RefusedURL(f"its host {host!r} does not resolve ({bad})") from bad
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    blocked = [a for a in addresses if blocked_address(a)]
    if blocked or not addresses:
        raise RefusedURL(
            f"its host {host!r} resolves to {blocked[0] if blocked else 'nothing'}: a "
            "link-local, metadata, unspecified or multicast address, which a webhook may "
            "not reach (loopback and private addresses may)"
        )
    return Destination(url=url.strip(), scheme=scheme, host=host, port=port,
                       address=addresses[0])


# --- signing -------------------------------------------------------------------------------


def sign(secret: str, body: bytes) -> str:
    """The X-Fitdoc-Signature of `body`: `sha256=` and the hex HMAC-SHA256 with `secret`."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(
    secret: str, body: bytes, signature: str, tolerance: float | None = 300
) -> bool:
    """What a receiver checks: the signature is the body's with `secret`, and (unless
    `tolerance` is None) the body's timestamp is within `tolerance` seconds of now, so a
    recorded delivery cannot be replayed later."""
    if not hmac.compare_digest(sign(secret, body), signature):
        return False
    if tolerance is None:
        return True
    try:
        stamp = float(json.loads(body)["timestamp"])
    except (ValueError, KeyError, TypeError):
        return False
    return abs(time.time() - stamp) <= tolerance


def payload(target: Target, now: float | None = None) -> bytes:
    """The body of an attempt: the event and the delivery's id, with the time it is sent
    (signed with the rest)."""
    body = {
        "delivery_id": target.delivery_id,
        "webhook_id": target.webhook_id,
        "attempt": target.attempt,
        "timestamp": int(now if now is not None else time.time()),
        "event": target.event.model_dump(mode="json"),
    }
    return json.dumps(body, separators=(",", ":")).encode()


# --- dispatch: the event log -> deliveries ----------------------------------------------------


def dispatch(stores: Stores, queue: Celery, settings: Settings) -> int:
    """Make the deliveries of the events recorded since the last dispatch (every page of
    them), then send their messages. Returns how many were made."""
    stores.events.sequence()
    made = 0
    while True:
        ids, more = stores.webhooks.dispatch_page()
        made += len(ids)
        send(stores, queue, ids)
        if not more:
            return made


def send(stores: Stores, queue: Celery, delivery_ids: list[str],
         countdown: float | None = None) -> int:
    """Send the deliveries' messages and mark them sent; stop at the first the broker
    will not take (the sweeper sends the rest). Returns how many were sent."""
    sent: list[str] = []
    try:
        for delivery_id in delivery_ids:
            enqueue_delivery(queue, delivery_id, countdown)
            sent.append(delivery_id)
    except Exception:  # noqa: BLE001 - any broker failure: the outbox sends them later
        log.warning("the broker cannot take webhook deliveries now; they are sent later",
                    exc_info=True)
    stores.webhooks.mark_sent(sent)
    return len(sent)


def send_due(stores: Stores, queue: Celery, settings: Settings) -> int:
    """The sweeper's part: send again the due deliveries whose message was never sent or
    was lost (FITDOC_WEBHOOK_RESEND_AFTER_SECONDS)."""
    due = stores.webhooks.due_for_sending(settings.webhook_resend_after_seconds)
    return send(stores, queue, due)


class Dispatcher(Background):
    """Dispatch on write, debounced: `request()` (called once a transaction that recorded
    events has committed) wakes one thread, which dispatches until no request came in
    meanwhile. Before taking the cursor's lock it looks, without one, whether an event
    since its last look is of a type some webhook wants, so a process that records many
    events no webhook asks for (metrics.logged) pays a read per wake, not a write."""

    def __init__(self, stores: Stores, queue: Celery, settings: Settings) -> None:
        super().__init__("fitdoc-webhooks")
        self.stores = stores
        self.queue = queue
        self.settings = settings
        self.seen = 0  # the log's last position at the last look
        self._wanted = False
        self._busy = False
        self.passes = 0  # dispatches made (a figure for the tests)

    def request(self) -> None:
        with self._cond:
            self._wanted = True
            self._wake()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._wanted:
                    self._busy = False
                    self._cond.notify_all()  # wait_idle
                    self._cond.wait()
                self._wanted = False
                self._busy = True
            try:
                self._pass()
            except Exception:  # noqa: BLE001 - the sweeper dispatches them later
                log.exception("dispatching webhook deliveries failed")

    def _pass(self) -> None:
        events, webhooks = self.stores.events, self.stores.webhooks
        changes = webhooks.changes
        wanted = webhooks.wanted_types()
        if not wanted:
            return  # no webhook: nothing to do (the sweeper moves the cursor on)
        # On PostgreSQL an event is read once numbered: sequence() numbers what has
        # committed, waiting for another process's pass if one is under way.
        events.sequence()
        last, worth = webhooks.worth_dispatching(self.seen, wanted)
        if worth:
            dispatch(self.stores, self.queue, self.settings)
            self.passes += 1
        if webhooks.changes == changes:  # else `wanted` may be stale: look again next time
            self.seen = last

    def _idle(self) -> bool:
        return not self._wanted and not self._busy


_DISPATCHERS: weakref.WeakKeyDictionary[EventStore, Dispatcher] = weakref.WeakKeyDictionary()


def dispatch_on_write(stores: Stores, queue: Celery, settings: Settings) -> Dispatcher:
    """The process's Dispatcher for `stores`, woken by each commit that records events
    (made once)."""
    dispatcher = _DISPATCHERS.get(stores.events)
    if dispatcher is None:
        dispatcher = _DISPATCHERS[stores.events] = Dispatcher(stores, queue, settings)
        stores.events.appended.append(dispatcher.request)
    return dispatcher


# --- delivery -----------------------------------------------------------------------------


def backoff(settings: Settings, attempt: int) -> float:
    """Seconds before the attempt after failed attempt `attempt` (1, 2, ...)."""
    return min(settings.webhook_backoff_seconds * 2 ** (attempt - 1),
               settings.webhook_backoff_max_seconds)


@cache
def _tls() -> ssl.SSLContext:
    # made once (loading the CA bundle costs ~10 ms); shared by every attempt's client
    return httpx.create_ssl_context()


def post(destination: Destination, body: bytes, headers: dict[str, str],
         timeout: float) -> tuple[int, str]:
    """POST `body` to the checked address (not to what the name resolves to now): the
    Host header and TLS's server name stay the URL's host. Redirects are not followed.
    Returns the status and the start of the answer (at most READ_CHARS of it is read)."""
    target = httpx.URL(destination.url).copy_with(host=destination.address)
    extensions = {"sni_hostname": destination.host} if destination.scheme == "https" else {}
    default = 443 if destination.scheme == "https" else 80
    host = destination.host if ":" not in destination.host else f"[{destination.host}]"
    if destination.port != default:
        host = f"{host}:{destination.port}"
    with httpx.Client(timeout=timeout, verify=_tls(), follow_redirects=False,
                      trust_env=False) as client:
        request = client.build_request("POST", target, content=body,
                                       headers={**headers, "Host": host},
                                       extensions=extensions)
        response = client.send(request, stream=True)
        try:
            start = b""
            for chunk in response.iter_raw():
                start += chunk
                if len(start) >= READ_CHARS:
                    break
        finally:
            response.close()
    return response.status_code, start[:READ_CHARS].decode(errors="replace")


def deliver(stores: Stores, queue: Celery, settings: Settings, delivery_id: str) -> str:
    """One attempt of a delivery (the Celery task's body); returns what happened."""
    hold = settings.webhook_timeout_seconds * 2 + 10  # the attempt's own bound, with room
    target = stores.webhooks.claim(delivery_id, hold)
    if target is None:
        return "skipped: not pending, not due, or gone"
    body = payload(target)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: target.event.type.value,
        DELIVERY_HEADER: target.delivery_id,
        SIGNATURE_HEADER: sign(target.secret, body),
    }
    status_code: int | None = None
    error: str | None = None
    try:
        status_code, answer = post(check_url(target.url), body, headers,
                                   settings.webhook_timeout_seconds)
        if not 200 <= status_code < 300:
            reason = " ".join(answer.split())
            error = f"HTTP {status_code}" + (f": {reason}" if reason else "")
    except RefusedURL as refused:
        error = f"refused: {refused.message}"
    except httpx.HTTPError as failed:
        error = f"{type(failed).__name__}: {failed}" if str(failed) else type(failed).__name__
    if error is None:
        stores.webhooks.record(delivery_id, target.attempt, delivered=True,
                               status_code=status_code, error=None, retry_at=None)
        return f"delivered (attempt {target.attempt})"
    wait = backoff(settings, target.attempt)
    again = target.attempt < settings.webhook_max_attempts
    status = stores.webhooks.record(
        delivery_id, target.attempt, delivered=False, status_code=status_code,
        error=error[:ERROR_CHARS], retry_at=utcnow() + timedelta(seconds=wait) if again else None,
    )
    if status is DeliveryStatus.pending:
        send(stores, queue, [delivery_id], countdown=wait)
        return f"attempt {target.attempt} failed ({error}); again in {wait:g} s"
    return f"attempt {target.attempt} failed ({error}); not tried again"
