"""The ledger explorer's reads: recent blocks with their transactions, inclusion proofs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from silkgate.ledger import Envelope, Proposal, verify_inclusion

if TYPE_CHECKING:
    from silkgate.gate._platform import Platform


def ledger_blocks(platform: Platform, limit: int = 20) -> list[dict[str, Any]]:
    """The newest ``limit`` blocks of the first peer, newest first."""
    link = platform.exchange.ledger
    blocks = []
    with link.lock:
        peer = link.consortium.peer()
        for number in range(peer.height - 1, max(peer.height - 1 - limit, -1), -1):
            found = peer.block(number)
            if found is None:
                continue
            block = found[0]
            txs = []
            for raw in block.data if number > 0 else ():
                try:
                    proposal = Proposal.from_bytes(Envelope.from_bytes(raw).proposal)
                except (ValueError, KeyError, TypeError):
                    continue
                record = peer.tx(proposal.tx_id)
                txs.append({"tx_id": proposal.tx_id, "contract": proposal.contract,
                            "function": proposal.function,
                            "code": record.code if record else "UNKNOWN",
                            "creator": record.creator if record else ""})  # fmt: skip
            header = block.header
            blocks.append({"number": header.number, "hash": block.hash,
                           "previous_hash": header.previous_hash,
                           "merkle_root": header.data_hash, "timestamp": header.timestamp,
                           "transactions": txs})  # fmt: skip
    return blocks


def ledger_proof(platform: Platform, tx_id: str) -> dict[str, Any]:
    """An RFC 9162 inclusion proof of ``tx_id``, checked here against its block's root."""
    link = platform.exchange.ledger
    with link.lock:
        proof, envelope = link.consortium.peer().proof(tx_id)
    return {"tx_id": tx_id, "block": proof.block, "merkle_root": proof.root,
            "proof": proof.as_json(), "verified": verify_inclusion(proof, envelope)}  # fmt: skip
