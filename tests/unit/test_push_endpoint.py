"""Which push endpoints the server may send to (issue 9, defect 3)."""

from __future__ import annotations

import pytest

from app.domain.push_endpoint import (
    DEFAULT_ALLOWED_HOSTS,
    EndpointPolicy,
    Target,
    address_public,
    addresses_allowed,
    check_endpoint,
    host_allowed,
)

PRODUCTION = EndpointPolicy()
TESTS = EndpointPolicy(("127.0.0.1",), allow_http=True, allow_private=True)


@pytest.mark.parametrize("url", [
    "https://fcm.googleapis.com/fcm/send/abc:def",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAA",
    "https://web.push.apple.com/QGx",
    "https://wns2-par02p.notify.windows.com/w/?token=x",
    "https://fcm.googleapis.com:443/fcm/send/x",
    "https://FCM.googleapis.com./fcm/send/x",
])
def test_the_push_services_are_accepted(url: str) -> None:
    target = check_endpoint(url, PRODUCTION)
    assert target is not None and target.port == 443


@pytest.mark.parametrize("url", [
    "https://127.0.0.1:8443/push",  # IP literals, whatever they are
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]:22/",
    "https://[::ffff:127.0.0.1]/",
    "https://8.8.8.8/",
    "https://2130706433/",  # 127.0.0.1 as one number: not a name either
    "http://fcm.googleapis.com/fcm/send/x",  # not https
    "ftp://fcm.googleapis.com/x",
    "https://fcm.googleapis.com:8443/x",  # another port
    "https://user:pw@fcm.googleapis.com/x",
    "https://evilfcm.googleapis.com/x",  # suffix without the dot
    "https://fcm.googleapis.com.evil.example/x",
    "https://push.apple.com/x",  # "*." is for subdomains only
    "https://apple.com/x",
    "https://localhost/x",
    "https://x..push.apple.com/x",
    "https://[::1/",
    "https:///x",
    "not a url",
])
def test_everything_else_is_refused(url: str) -> None:
    assert check_endpoint(url, PRODUCTION) is None


def test_suffix_matching_needs_a_dot_boundary() -> None:
    patterns = ("*.push.apple.com", "fcm.googleapis.com")
    assert host_allowed("web.push.apple.com", patterns)
    assert host_allowed("a.b.push.apple.com", patterns)
    assert not host_allowed("push.apple.com", patterns)
    assert not host_allowed("evilpush.apple.com", patterns)
    assert not host_allowed("web.push.apple.com.evil", patterns)
    assert not host_allowed("x.fcm.googleapis.com", patterns)
    assert host_allowed("updates.push.services.mozilla.com", DEFAULT_ALLOWED_HOSTS)


def test_the_tests_local_push_service_needs_both_test_settings() -> None:
    url = "http://127.0.0.1:5555/push/abc"
    assert check_endpoint(url, TESTS) == Target("127.0.0.1", 5555)
    assert check_endpoint(url, EndpointPolicy(("127.0.0.1",), allow_http=True)) is None
    assert check_endpoint(url, EndpointPolicy(allow_http=True, allow_private=True)) is None
    assert check_endpoint("http://[::1]:5555/push/abc", TESTS) is None  # not listed


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "0.0.0.0",
    "100.64.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1",
    "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2001:db8::1", "nonsense",
])
def test_non_public_addresses_are_not_public(address: str) -> None:
    assert not address_public(address)


@pytest.mark.parametrize("address", ["142.250.4.95", "2a00:1450:4001:80b::200a",
                                     "::ffff:142.250.4.95"])
def test_public_addresses_are(address: str) -> None:
    assert address_public(address)


def test_one_private_address_among_public_ones_refuses_the_name() -> None:
    assert addresses_allowed(["142.250.4.95"], PRODUCTION)
    assert not addresses_allowed(["142.250.4.95", "127.0.0.1"], PRODUCTION)
    assert not addresses_allowed([], PRODUCTION)
    assert addresses_allowed(["127.0.0.1"], TESTS)
