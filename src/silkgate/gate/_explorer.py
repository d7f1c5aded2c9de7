"""The ledger explorer's reads: recent blocks with their transactions, inclusion proofs.

Each transaction carries a one-line ``summary`` of what it says, from its signed arguments:
an order's step and state, the document an ``exchange`` transaction anchors, the grant a
suspension or restoration touches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from silkgate.ledger import Envelope, Proposal, verify_inclusion

if TYPE_CHECKING:
    from silkgate.gate._platform import Platform


def summary(contract: str, function: str, args: Any) -> str:
    """What a transaction asks, in a few words (empty for the rest)."""
    if not isinstance(args, dict):
        return ""
    dataset = args.get("dataset_id", "")
    if contract == "exchange" and function == "order":
        return f"order {args.get('order_id')} → {args.get('state')} on {dataset}"
    if contract == "exchange" and function == "anchor":
        return f"{args.get('kind')} {args.get('ref')} of {dataset}"
    if contract == "exchange" and function == "invoice":
        return f"invoice {args.get('invoice_id')} to {args.get('payer')} for {dataset}"
    if contract == "access" and function in ("grant", "revoke", "suspend", "restore", "use"):
        grant = args.get("grant_id") or args.get("request_id")
        reason = f": {args['reason']}" if function == "suspend" and "reason" in args else ""
        return f"grant {grant} on {dataset}{reason}"
    if contract == "access" and function == "request":
        scopes = args.get("scopes") or [args.get("scope")]
        return f"{', '.join(map(str, scopes))} on {dataset}"
    return str(dataset)


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
                            "summary": summary(proposal.contract, proposal.function,
                                               proposal.args),
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
