"""What the HTTP front holds every client to, before a signature is ever checked: anyone
who can reach the port can send these, so each limit holds while the request is still being
read, not after it has been buffered."""

from __future__ import annotations

MAX_HEADER_BYTES = 64 * 1024  # request line and headers; more is answered 431
MAX_BODY_BYTES = 1_000_000  # Slack's payloads are far smaller; a bigger Content-Length: 413
# From a request's first byte to its last: a client that trickles its request gets 408 when
# this runs out, however often it sends a byte.
REQUEST_SECONDS = 10.0
IDLE_SECONDS = 10.0  # a kept-alive connection with no next request is closed after this
WRITE_SECONDS = 10.0  # a client that does not read its answer is dropped after this
# Connections open at once (each costs a little memory and no thread): beyond this a new
# connection is answered 503 and closed.
MAX_CONNECTIONS = 512
READ_CHUNK_BYTES = 16 * 1024
