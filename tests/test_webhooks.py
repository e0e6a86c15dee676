"""Webhooks' pure parts (service/webhooks.py): which URLs a webhook may have, the signature
a receiver checks, the backoff, and that an attempt connects to the address it checked."""

from __future__ import annotations

import json
import socket
import time

import pytest

from service.errors import Invalid
from service.settings import Settings
from service.webhooks import (
    Destination,
    RefusedURL,
    backoff,
    blocked_address,
    check_url,
    post,
    sign,
    verify_signature,
)
from tests.utils.receiver import receiver

REFUSED = {
    "not http": "ftp://127.0.0.1/hook",
    "javascript": "javascript:alert(1)",
    "no scheme": "127.0.0.1/hook",
    "no host": "http:///hook",
    "a bad port": "http://127.0.0.1:99999/",
    "metadata IPv4": "http://169.254.169.254/latest/meta-data/",
    "link-local IPv4": "https://169.254.10.1:8443/x",
    "metadata, by name": "http://metadata.google.internal/computeMetadata/v1/",
    "metadata, upper case, trailing dot": "http://METADATA.Google.Internal./",
    "metadata, decimal": "http://2852039166/",
    "metadata, IPv4-mapped IPv6": "http://[::ffff:169.254.169.254]/",
    "link-local IPv6": "http://[fe80::1]/",
    "AWS IPv6 metadata": "http://[fd00:ec2::254]/",
    "unspecified": "http://0.0.0.0:8080/",
    "unspecified, short": "http://0/",
    "unspecified IPv6": "http://[::]/",
    "multicast": "http://224.0.0.1/",
    "multicast IPv6": "http://[ff02::1]/",
    "broadcast": "http://255.255.255.255/",
    "a host that does not resolve": "http://no-such-host.invalid/hook",
}
ALLOWED = {
    "loopback": "http://127.0.0.1:9000/hook",
    "localhost": "http://localhost/hook",
    "loopback IPv6": "http://[::1]:9000/hook",
    "private 10/8": "http://10.1.2.3/hook",
    "private 192.168/16": "https://192.168.1.20:8443/hook?x=1",
    "private 172.16/12": "http://172.16.0.9/",
    "unique local IPv6": "http://[fd12:3456::1]/",
    "user info and a path": "http://bot:pw@127.0.0.1:8080/a/b?c=d#e",
}


@pytest.mark.parametrize("case", REFUSED)
def test_refused_urls(case):
    with pytest.raises(RefusedURL) as refused:
        check_url(REFUSED[case])
    assert isinstance(refused.value, Invalid) and refused.value.field == "url"


@pytest.mark.parametrize("case", ALLOWED)
def test_allowed_urls(case):
    destination = check_url(ALLOWED[case])
    assert destination.scheme in ("http", "https")
    assert not blocked_address(destination.address)


def test_a_name_that_resolves_to_a_metadata_address_is_refused(monkeypatch):
    """Every address a name resolves to is checked: one bad address among good ones is
    enough (DNS is this process's resolver, made to answer as a hostile zone would)."""
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        if host == "hooks.example.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 80)),
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with pytest.raises(RefusedURL, match="169.254.169.254"):
        check_url("http://hooks.example.test/hook")


def test_blocked_addresses():
    for address in ("169.254.169.254", "169.254.0.1", "fe80::1", "fe80::1%eth0",
                    "fd00:ec2::254", "0.0.0.0", "::", "224.0.0.251", "ff02::fb",
                    "::ffff:169.254.169.254", "100.100.100.200"):
        assert blocked_address(address), address
    for address in ("127.0.0.1", "::1", "10.0.0.1", "192.168.0.1", "172.31.255.255",
                    "fd00:ec2::253", "8.8.8.8", "100.100.100.201"):
        assert not blocked_address(address), address


def test_signature_is_hmac_sha256_of_the_body():
    # RFC-style known answer (HMAC-SHA256, key "key"): any other hash or encoding differs
    body = b"The quick brown fox jumps over the lazy dog"
    assert sign("key", body) == (
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )


def test_a_receiver_verifies_signature_and_timestamp():
    body = json.dumps({"delivery_id": "d", "timestamp": int(time.time())}).encode()
    signature = sign("the-secret", body)
    assert verify_signature("the-secret", body, signature)
    assert not verify_signature("another-secret", body, signature)
    assert not verify_signature("the-secret", body.replace(b'"d"', b'"e"'), signature)
    assert not verify_signature("the-secret", body, signature.replace("sha256=", "sha1="))
    old = json.dumps({"delivery_id": "d", "timestamp": int(time.time()) - 3600}).encode()
    assert not verify_signature("the-secret", old, sign("the-secret", old))  # a replay
    assert verify_signature("the-secret", old, sign("the-secret", old), tolerance=None)


def test_backoff_doubles_up_to_its_cap():
    settings = Settings(webhook_backoff_seconds=1, webhook_backoff_max_seconds=10)
    assert [backoff(settings, n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_an_attempt_goes_to_the_address_that_was_checked():
    """The POST connects to the checked IP whatever the name resolves to by then (this
    name resolves to nothing), and the receiver still sees its own name in Host."""
    with receiver() as bot:
        port = int(bot.url.split(":")[2].split("/")[0])
        destination = Destination(url=f"http://bot.lab.invalid:{port}/hook?x=1",
                                  scheme="http", host="bot.lab.invalid", port=port,
                                  address="127.0.0.1")
        status, _ = post(destination, b"{}", {"X-Test": "1"}, timeout=5)
    assert status == 200
    assert bot.got[0].headers["Host"] == f"bot.lab.invalid:{port}"
    assert bot.got[0].body == b"{}" and bot.got[0].headers["X-Test"] == "1"
