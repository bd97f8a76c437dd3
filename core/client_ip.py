"""The client's address: one answer for the sign-in lockout, the patient-link rate limits and the audit.

Behind the clinic's proxies every request comes from the nearest proxy (``REMOTE_ADDR``). Each proxy
appends the address it was sent the request from to ``X-Forwarded-For``, so only the entries our own
proxies wrote, at the right-hand end, can be believed: anything to their left came from the client
and may be invented. With neither ``TRUSTED_PROXY_COUNT`` nor ``TRUSTED_PROXY_NETWORKS`` set, the
header is never read.
"""

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


@cache
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _is_proxy(address: str, networks: tuple[Network, ...]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The address of whoever sent ``request``: the peer, or the one our proxies say they served."""
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    count: int = settings.TRUSTED_PROXY_COUNT
    networks = _networks(tuple(settings.TRUSTED_PROXY_NETWORKS))
    if peer is None or not (count or networks):
        return peer
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if networks:
        # Walk back from the peer while the hop is one of our proxies; the first that is not is the client.
        hop = peer
        for entry in reversed(forwarded):
            if not _is_proxy(hop, networks):
                break
            address = _address(entry)
            if address is None:
                break
            hop = address
        return hop
    if not forwarded:
        return peer
    # The last `count` entries were written by our proxies; the outermost of them names the client.
    # Fewer entries mean the request entered behind the outermost proxy: every entry is still ours.
    return _address(forwarded[max(len(forwarded) - count, 0)]) or peer
