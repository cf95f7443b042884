"""Answering Slack the moment a listener acks, instead of up to 10 ms later.

With ``process_before_response=False`` Bolt hands the listener to the listener executor and
then, in the thread serving the HTTP request, polls ``ack.response`` with 10 ms sleeps until
the listener has acked (``slack_bolt/listener/thread_runner.py``, ``ThreadListenerRunner.
run``). Each ack therefore waits for the next poll, and under load every waiting request
wakes a hundred times a second to take the GIL from the threads doing the work.

Here the request's ``ack`` is one that signals when called, and the executor, when Bolt
submits the listener, waits for that signal (or for the listener to end, whichever comes
first; never longer than Bolt's own 3 s) before handing Bolt the future. Bolt's loop then
finds the ack already there and answers at once. Nothing else changes: the listener still
runs in the executor, acks first and carries on after the response has gone, and a
listener that never acks still leaves Bolt to wait and warn as before. Requests dispatched
outside ``acking_promptly`` (Socket Mode, tests calling ``App.dispatch``) are untouched.

A listener that does all its work before it acks (``/delegate`` answers with what it
created) gains nothing from another thread: handing it over and waiting for it cost more
CPU than its queries. Such a listener is registered with ``in_request_thread`` as listener
middleware, and the executor then runs it in the thread serving the request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.context.ack import Ack

T = TypeVar("T")

ACK_TIMEOUT_SECONDS = 3.0  # Bolt's listener ack_timeout: it stops waiting then, so do we


class SignallingAck(Ack):
    """Bolt's ``ack``, which also says when it has been called."""

    def __init__(self) -> None:
        super().__init__()
        self.called = threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        try:
            return super().__call__(*args, **kwargs)
        finally:
            self.called.set()


_pending: ContextVar[SignallingAck | None] = ContextVar("steward_pending_ack", default=None)
_inline: ContextVar[bool] = ContextVar("steward_listener_inline", default=False)


def in_request_thread(next: Callable[[], BoltResponse]) -> BoltResponse:
    """Bolt listener middleware: run this request's listener in the thread serving the
    request, for a listener that acks only once its work is done (no Slack calls after)."""
    _inline.set(True)
    return next()


@contextmanager
def acking_promptly(request: BoltRequest) -> Iterator[None]:
    """Around ``App.dispatch(request)``: the listener Bolt submits for this request is
    waited for by its ack, not polled for."""
    ack = SignallingAck()
    request.context["ack"] = ack
    token = _pending.set(ack)
    inline_token = _inline.set(False)
    try:
        yield
    finally:
        _inline.reset(inline_token)
        _pending.reset(token)


class AckWaitingExecutor(Executor):
    """The listener executor: submits to ``inner``; for the first submission of a request
    under ``acking_promptly`` (its listener), returns once the listener acked or ended."""

    def __init__(self, inner: Executor, *, timeout: float = ACK_TIMEOUT_SECONDS) -> None:
        self._inner = inner
        self._timeout = timeout

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        ack = _pending.get()
        if ack is None:
            return self._inner.submit(fn, *args, **kwargs)
        _pending.set(None)  # later submissions (lazy listeners) are not waited for
        if _inline.get():
            return _run_here(fn, *args, **kwargs)
        future = self._inner.submit(fn, *args, **kwargs)
        future.add_done_callback(lambda _done: ack.called.set())
        ack.called.wait(self._timeout)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def _run_here(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
    future: Future[T] = Future()
    try:
        future.set_result(fn(*args, **kwargs))
    except BaseException as error:  # as the pool would: the future holds it
        future.set_exception(error)
    return future
