"""HTTP validators for the served build: ETag, Last-Modified and Cache-Control on every successful GET or HEAD, and
304 Not Modified for a conditional request whose representation has not changed.

Everything the server answers to a GET is fixed by the build it serves and the settings it runs with: the same
request gets the same bytes until the server is restarted on another build. So the validators are derived from
them, not from the answer: a :func:`build_token` (a digest of the build's files and the settings) is the first part
of every entity tag, and the second is a digest of what selects the representation (path, query string, Accept,
Accept-Language). Tags are weak (``W/"..."``): the compression middleware inside may send the same representation
gzip-, Brotli- or Zstandard-encoded, which a strong tag would have to tell apart. Last-Modified is the time the build
was written. Cache-Control is ``no-cache``: a cache may keep an answer, but asks again each time, and gets a 304
(no body) while the build is the same.

The answer is computed before it is compared (a conditional request for a resource that does not exist still gets its
404, never a 304), and a 304 carries the headers a 200 would: ETag, Last-Modified, Cache-Control, Vary. Static files
keep the validators Starlette gives them; POST answers get none (RFC 9110: not cacheable by default).
"""

from __future__ import annotations

import email.utils
import hashlib
from pathlib import Path

_UNCONDITIONAL = ("/static/",)  # StaticFiles gives its own validators and 304s


def build_token(dist: Path, settings_text: str) -> tuple[str, float]:
    """A digest of the served build (``dist``, the version folder) and the settings that shape the answers, and the
    time the build was written (seconds since the epoch). The build's description stands for the whole build: it
    gives the SHA-256 of every file published (the graph, the inferences, the ontology) and the graph's version, and
    it is written last.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "void.ttl").write_text("<x> <y> <z> .")
    >>> token, _ = build_token(folder, "max-rows 10")
    >>> token == build_token(folder, "max-rows 10")[0], token == build_token(folder, "max-rows 20")[0], len(token)
    (True, False, 16)
    """
    void = dist / "void.ttl"
    digest = hashlib.sha256(settings_text.encode("utf-8") + b"\0" + void.read_bytes())
    return digest.hexdigest()[:16], void.stat().st_mtime


def entity_tag(token: str, scope) -> str:
    """The weak entity tag of the answer to the request in the ASGI ``scope``: the build's token and a digest of
    what selects the representation."""
    headers = dict(scope.get("headers") or [])
    selector = b"\0".join((scope.get("raw_path") or scope["path"].encode("utf-8"), scope.get("query_string", b""),
                           headers.get(b"accept", b""), headers.get(b"accept-language", b"")))
    return f'W/"{token}-{hashlib.sha256(selector).hexdigest()[:16]}"'


def matches(if_none_match: str, tag: str) -> bool:
    """Whether an If-None-Match value names ``tag``, by weak comparison (RFC 9110, 13.1.2): ``*`` or any listed tag
    with the same opaque part, ``W/`` or not.

    >>> matches('"x", W/"a-b"', 'W/"a-b"'), matches('"a-b"', 'W/"a-b"'), matches('*', 'W/"a"'), matches('"c"', 'W/"a"')
    (True, True, True, False)
    """
    if if_none_match.strip() == "*":
        return True
    opaque = tag.removeprefix("W/")
    return any(item.strip().removeprefix("W/") == opaque for item in if_none_match.split(","))


def not_modified_since(if_modified_since: str, modified: float) -> bool:
    """Whether an If-Modified-Since date is at or after ``modified`` (to the second, as HTTP dates go); an unreadable
    date is ignored (RFC 9110, 13.1.3).

    >>> not_modified_since("Mon, 07 Dec 2026 01:00:00 GMT", 1796605200.5), not_modified_since("yesterday", 0)
    (True, False)
    """
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    return since.tzinfo is not None and int(modified) <= since.timestamp()


class Validators:
    """ASGI middleware: validators on successful GET and HEAD answers, and 304 for conditional requests that match."""

    def __init__(self, app, token: str, modified: float):
        self.app = app
        self.token = token
        self.modified = modified
        self.last_modified = email.utils.formatdate(modified, usegmt=True).encode("latin-1")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope["path"].startswith(_UNCONDITIONAL):
            return await self.app(scope, receive, send)
        tag = entity_tag(self.token, scope).encode("latin-1")
        request = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers") or []}
        if "if-none-match" in request:  # it takes precedence over If-Modified-Since
            fresh = matches(request["if-none-match"], tag.decode("latin-1"))
        else:
            fresh = "if-modified-since" in request and not_modified_since(request["if-modified-since"], self.modified)
        state = {"unchanged": False}

        async def send_with_validators(message):
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    return await send(message)
                headers = [(n, v) for n, v in message.get("headers", [])
                           if n.lower() not in (b"etag", b"last-modified", b"cache-control")]
                headers += [(b"etag", tag), (b"last-modified", self.last_modified), (b"cache-control", b"no-cache")]
                if fresh:
                    state["unchanged"] = True
                    kept = (b"etag", b"last-modified", b"cache-control", b"vary", b"content-location")
                    await send({"type": "http.response.start", "status": 304,
                                "headers": [(n, v) for n, v in headers if n.lower() in kept]})
                    return
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and state["unchanged"]:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, send_with_validators)
