"""ASGI middleware: a request body cap (413) and security headers on every response."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The default Content-Security-Policy: everything from this server, nothing from a CDN. A route
#: that needs more (inline scripts of a generated view) sets its own header, which is kept.
DEFAULT_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
               "script-src 'self'; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
               "base-uri 'none'; frame-ancestors 'self'; form-action 'self'")


async def _plain(send: Send, status: int, text: str) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": text.encode()})


class BodyLimit:
    """Refuse request bodies larger than ``max_bytes`` with 413, by header or by counting."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"the request body is larger than {self.max_bytes} bytes\n"
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                await _plain(send, 400, "invalid Content-Length\n")
                return
            if too_big:
                await _plain(send, 413, message)
                return
        # Read the body here (it is small by now) and replay it, so no route sees more than the cap.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            incoming = await receive()
            if incoming["type"] != "http.request":
                break
            chunks.append(incoming.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await _plain(send, 413, message)
                return
            more = incoming.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


_SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                     (b"content-security-policy", DEFAULT_CSP.encode())]


def with_security_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` plus the security headers they do not set already."""
    headers = list(headers)
    names = {name.lower() for name, _ in headers}
    return headers + [(name, value) for name, value in _SECURITY_HEADERS if name not in names]


class SecurityHeaders:
    """Add nosniff, a CSP (unless the route set one), referrer and framing policies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": with_security_headers(message.get("headers", []))}
            await send(message)

        await self.app(scope, receive, send_with_headers)
