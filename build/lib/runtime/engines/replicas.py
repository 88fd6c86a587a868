"""Several servers of one model behind one member name: each call goes to the least busy one.

>>> replicas = ReplicaSet(["http://a/v1", "http://b/v1"])
>>> first = replicas.acquire(); second = replicas.acquire()
>>> sorted([first, second])                  # both busy now, one call each
['http://a/v1', 'http://b/v1']
>>> replicas.release(first); replicas.acquire() == first   # the idle one gets the next call
True

Ties go round-robin, so a quiet pool still alternates. The choice is made in-process per
call, which is enough for replicas on one node; across nodes SGLang's router (model
gateway) can do the same and more (cache-aware routing), see the README.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class ReplicaSet:
    def __init__(self, urls: Iterable[str]):
        self.urls = tuple(urls)
        if not self.urls:
            raise ValueError("a replica set needs at least one URL")
        self.in_flight = dict.fromkeys(self.urls, 0)
        self._next = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.urls)

    def acquire(self) -> str:
        """The URL with the fewest calls in flight (round-robin among equals), now counted busy."""
        with self._lock:
            n = len(self.urls)
            rotated = [self.urls[(self._next + i) % n] for i in range(n)]
            url = min(rotated, key=self.in_flight.__getitem__)
            self._next = (self.urls.index(url) + 1) % n
            self.in_flight[url] += 1
            return url

    def release(self, url: str) -> None:
        with self._lock:
            self.in_flight[url] -= 1

    @contextmanager
    def use(self) -> Iterator[str]:
        url = self.acquire()
        try:
            yield url
        finally:
            self.release(url)
