"""Ordering services behind one interface; configuration picks one."""

from silkgate.ledger._ordering._cutter import BlockCutter, CutPoint, CutRecord, StreamMessage
from silkgate.ledger._ordering._jetstream import JetStreamOrderer, StreamNames
from silkgate.ledger._ordering._orderer import Orderer
from silkgate.ledger._ordering._solo import SoloOrderer

__all__ = [
    "BlockCutter",
    "CutPoint",
    "CutRecord",
    "JetStreamOrderer",
    "Orderer",
    "SoloOrderer",
    "StreamMessage",
    "StreamNames",
]
