"""Threshold proxy re-encryption with umbral: owners delegate, proxies check the ledger.

For a grant the owner splits a re-encryption key into ``shares`` key fragments, any
``threshold`` of which suffice, and gives one to each proxy (the consortium's peers). A
proxy re-encrypts the capsule for the grant's recipient only after asking the ledger
whether the grant is active, unexpired, for that recipient key and for ``download``; when
it is not, the proxy drops its fragment and refuses from then on. Guarantee: fewer than
``threshold`` colluding proxies learn nothing of the data key, and a recipient needs
``threshold`` honest-checking proxies to decrypt. Assumption: at least ``shares -
threshold + 1`` proxies follow the ledger, so that a revocation stops decryption.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import umbral_pre

from silkgate.domain import InvalidInput
from silkgate.vault._errors import NotEnoughFragments, ReencryptionRefused
from silkgate.vault._keys import VaultKeys, public_from_hex, public_hex
from silkgate.vault._vault import Sealed, Vault


class GrantChecker(Protocol):
    """What a proxy asks the ledger (``silkgate.ledger.Peer`` has this method)."""

    def is_granted(self, grant_id: str, dataset_id: str, recipient_key: str, scope: str) -> bool:
        """Whether an active, unexpired grant lets ``recipient_key`` use ``scope`` now."""


@dataclass(frozen=True, slots=True)
class KeyFragment:
    """One proxy's share of a re-encryption key for one grant."""

    grant_id: str
    dataset_id: str
    kfrag: bytes
    owner_key: str
    verifying_key: str
    recipient_key: str


def delegate(
    owner: VaultKeys,
    recipient_key: str,
    *,
    grant_id: str,
    dataset_id: str,
    threshold: int,
    shares: int,
) -> list[KeyFragment]:
    """Split the re-encryption key owner → recipient into ``shares`` fragments (``threshold``)."""
    if not 1 <= threshold <= shares:
        raise InvalidInput(f"need 1 <= threshold <= shares, got {threshold} of {shares}",
                           field="threshold")  # fmt: skip
    kfrags = umbral_pre.generate_kfrags(
        owner.secret,
        public_from_hex(recipient_key),
        umbral_pre.Signer(owner.signer),
        threshold,
        shares,
        True,
        True,
    )
    return [
        KeyFragment(
            grant_id=grant_id,
            dataset_id=dataset_id,
            kfrag=bytes(k),
            owner_key=owner.public_hex,
            verifying_key=public_hex(owner.verifying_key),
            recipient_key=recipient_key,
        )
        for k in kfrags
    ]


class Proxy:
    """A re-encryption proxy run by one peer; ``checker`` is that peer's view of the ledger."""

    def __init__(self, name: str, checker: GrantChecker) -> None:
        self.name = name
        self._checker = checker
        self._fragments: dict[str, tuple[KeyFragment, umbral_pre.VerifiedKeyFrag]] = {}

    def accept(self, fragment: KeyFragment) -> None:
        """Keep ``fragment`` once its owner signature verifies."""
        try:
            verified = umbral_pre.KeyFrag.from_bytes(fragment.kfrag).verify(
                public_from_hex(fragment.verifying_key),
                public_from_hex(fragment.owner_key),
                public_from_hex(fragment.recipient_key),
            )
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"key fragment does not verify ({exc})", field="kfrag") from None
        self._fragments[fragment.grant_id] = (fragment, verified)

    def holds(self, grant_id: str) -> bool:
        return grant_id in self._fragments

    def reencrypt(self, grant_id: str, capsule: str) -> bytes:
        """A capsule fragment for the grant's recipient, if the ledger still grants access."""
        held = self._fragments.get(grant_id)
        if held is None:
            raise ReencryptionRefused(f"proxy {self.name} holds no fragment for grant {grant_id}")
        fragment, verified = held
        if not self._checker.is_granted(
            grant_id, fragment.dataset_id, fragment.recipient_key, "download"
        ):
            del self._fragments[grant_id]
            raise ReencryptionRefused(
                f"proxy {self.name}: grant {grant_id} is not active on the ledger; fragment dropped"
            )
        cfrag = umbral_pre.reencrypt(
            umbral_pre.Capsule.from_bytes(bytes.fromhex(capsule)), verified
        )
        return bytes(cfrag)


def unseal_shared(
    vault: Vault,
    sealed: Sealed,
    recipient: VaultKeys,
    cfrags: list[bytes],
    out: Path,
    *,
    expected_hash: str,
) -> Path:
    """Decrypt as the recipient from capsule fragments; the content must match the ledger."""
    capsule = umbral_pre.Capsule.from_bytes(bytes.fromhex(sealed.capsule))
    owner, verifying = public_from_hex(sealed.owner_key), public_from_hex(sealed.verifying_key)
    verified = []
    for raw in cfrags:
        try:
            verified.append(
                umbral_pre.CapsuleFrag.from_bytes(raw).verify(
                    capsule, verifying, owner, recipient.public_key
                )
            )
        except (ValueError, TypeError):
            continue
    try:
        key = umbral_pre.decrypt_reencrypted(
            recipient.secret, owner, capsule, verified, bytes.fromhex(sealed.wrapped_key)
        )
    except ValueError:
        raise NotEnoughFragments(
            f"{len(verified)} valid capsule fragments do not open {sealed.ref}"
        ) from None
    if key is None:
        raise NotEnoughFragments(f"capsule fragments do not open {sealed.ref}")
    return vault.unseal_with_key(sealed, bytes(key), out, expected_hash=expected_hash)
