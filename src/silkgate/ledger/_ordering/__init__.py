"""Ordering services behind one interface; configuration picks one."""

from silkgate.ledger._ordering._orderer import Orderer
from silkgate.ledger._ordering._solo import SoloOrderer

__all__ = ["Orderer", "SoloOrderer"]
