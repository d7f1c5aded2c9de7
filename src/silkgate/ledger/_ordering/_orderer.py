"""The ordering seam: clients submit endorsed transactions, peers take delivery of blocks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from silkgate.ledger._blocks import Block


class Orderer(Protocol):
    """Puts transactions in one total order and cuts them into signed blocks.

    An orderer sees envelopes as opaque bytes: it can delay, drop or reorder them, never
    forge one, because every peer validates every signature itself.
    """

    def submit(self, envelope: bytes) -> None:
        """Queue one transaction; a block is cut once enough are queued."""

    def flush(self) -> None:
        """Cut the queued transactions into a block now (the batch timeout)."""

    def deliver(self, start: int) -> Iterator[Block]:
        """The blocks from number ``start`` on, in order, as far as they are cut."""

    def close(self) -> None: ...
