"""Who the client is: `X-Forwarded-For`, `-Proto` and `-Host` are believed only from the proxies named in the
`trusted_proxies` setting (addresses or networks). From anyone else they are dropped before any handler or
middleware sees them, so nobody can dodge the sign-in throttle or write another address into the access log by
sending the headers themselves, loopback included.

Behind a named proxy the client is the right-most address in `X-Forwarded-For` that is not itself a named proxy
(each proxy appends the address it saw, so the ones further left are only what the client claimed).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import proxy_networks as networks

FORWARDED = (b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host")


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


class ForwardedHeaders:
    """Pure ASGI middleware, outermost: the client's address and scheme as the named proxies saw them."""

    def __init__(self, app: ASGIApp, *, trusted_proxies: Sequence[str] = ()):
        self.app = app
        self.trusted = networks(trusted_proxies)

    def _trusted(self, host: str | None) -> bool:
        address = _address(host or "")
        return address is not None and any(address in n for n in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = dict(scope)
            peer = scope.get("client")
            forwarded = {k.decode(): v.decode("latin-1") for k, v in scope["headers"] if k in FORWARDED}
            if peer and self._trusted(peer[0]):
                client = self._client(forwarded.get("x-forwarded-for", ""))
                if client:
                    scope["client"] = (client, 0)
                proto = forwarded.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
                if proto in ("http", "https"):
                    scope["scheme"] = (
                        proto if scope["type"] == "http" else {"http": "ws", "https": "wss"}[proto]
                    )
            else:
                scope["headers"] = [(k, v) for k, v in scope["headers"] if k not in FORWARDED]
        await self.app(scope, receive, send)

    def _client(self, header: str) -> str | None:
        """The right-most address not a named proxy; None when the header holds no address at all."""
        hops = [h.strip() for h in header.split(",") if h.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return None  # not what a proxy writes: keep the peer's own address
            if not any(address in n for n in self.trusted):
                return str(address)
        return str(_address(hops[0])) if hops else None
