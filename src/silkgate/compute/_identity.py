"""Who is who among nodes and schedulers: Ed25519 keys and the directory of principals.

Every request a node serves is signed by its sender (Ed25519, PyNaCl) over the method,
path, a timestamp, a nonce and the SHA-256 of the body. A node accepts a request only
from a principal the directory lists with the ``scheduler`` role, within ``MAX_SKEW_S``
of its clock, and never the same nonce twice. Assumes the directory file is distributed
by the consortium (its ledger enrolment) and the private keys stay with their owners.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.encoding import HexEncoder
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey
from pydantic import Field

from silkgate.compute._certs import private_pem, self_signed
from silkgate.domain import DomainModel, InvalidInput, Unauthenticated

PrincipalRole = Literal["node", "scheduler"]
MAX_SKEW_S = 120.0
HEADER_PRINCIPAL = "x-silkgate-principal"
HEADER_TIMESTAMP = "x-silkgate-timestamp"
HEADER_NONCE = "x-silkgate-nonce"
HEADER_SIGNATURE = "x-silkgate-signature"


class Identity:
    """A principal's private signing key."""

    def __init__(self, principal: str, key: SigningKey) -> None:
        self.principal = principal
        self._key = key

    @classmethod
    def generate(cls, principal: str) -> Identity:
        return cls(principal, SigningKey.generate())

    @classmethod
    def load_or_create(cls, principal: str, keys_dir: Path) -> Identity:
        """The key in ``keys_dir/PRINCIPAL.key`` (hex seed, mode 0600), created if missing."""
        path = keys_dir / f"{principal}.key"
        if path.is_file():
            return cls(principal, SigningKey(path.read_bytes().strip(), encoder=HexEncoder))
        identity = cls.generate(principal)
        keys_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(identity._key.encode(encoder=HexEncoder))
        return identity

    @property
    def verify_key_hex(self) -> str:
        return self._key.verify_key.encode(encoder=HexEncoder).decode()

    def tls_material(self, *, valid_days: int = 3650) -> tuple[str, str]:
        """A self-signed certificate for this signing key and the key, both PEM.

        A node serves TLS with it; schedulers pin it (``_tls``), so the channel belongs to
        the key the directory lists. The key PEM is secret: write it 0600, never log it.
        """
        key = Ed25519PrivateKey.from_private_bytes(self._key.encode())
        lifetime = dt.timedelta(days=valid_days)
        return self_signed(key, self.principal, lifetime), private_pem(key).decode()

    def sign_headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        timestamp = f"{time.time():.3f}"
        nonce = os.urandom(12).hex()
        message = _message(method, path, timestamp, nonce, body)
        signature = self._key.sign(message).signature.hex()
        return {
            HEADER_PRINCIPAL: self.principal,
            HEADER_TIMESTAMP: timestamp,
            HEADER_NONCE: nonce,
            HEADER_SIGNATURE: signature,
        }


class Principal(DomainModel):
    verify_key: str = Field(pattern=r"^[0-9a-f]{64}$")
    roles: frozenset[PrincipalRole]
    address: str | None = Field(None, description="https://host:port of a node")
    tls_cert: str | None = Field(
        None, description="PEM of the self-signed certificate a node serves TLS with"
    )


class Directory(DomainModel):
    """The principals of the consortium's compute plane, by id."""

    principals: dict[str, Principal] = Field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Directory:
        if not path.is_file():
            return cls()
        try:
            return cls.model_validate_json(path.read_bytes())
        except ValueError as exc:
            raise InvalidInput(f"{path}: not a compute directory ({exc})") from None

    def node_address(self, party: str) -> str:
        entry = self.principals.get(party)
        if entry is None or "node" not in entry.roles or entry.address is None:
            raise InvalidInput(f"party {party!r} runs no registered node", field="party")
        return entry.address

    def node_tls_cert(self, party: str) -> tuple[str, str] | None:
        """The certificate a party's node serves TLS with and its directory key, if any."""
        entry = self.principals.get(party)
        if entry is None or entry.tls_cert is None:
            return None
        return entry.tls_cert, entry.verify_key

    def with_principal(self, principal: str, entry: Principal) -> Directory:
        return Directory(principals={**self.principals, principal: entry})


def register(path: Path, principal: str, entry: Principal) -> Directory:
    """Add or replace ``principal`` in the directory file, under a lock; return the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path.with_suffix(".lock")):
        updated = Directory.load(path).with_principal(principal, entry)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(updated.model_dump_json(indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
    return updated


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Verifier:
    """Checks signed requests against a directory file (re-read when it changes)."""

    def __init__(self, directory_path: Path, *, accept: PrincipalRole = "scheduler") -> None:
        self._path = directory_path
        self._accept = accept
        self._loaded: tuple[float, Directory] | None = None
        self._nonces: dict[str, float] = {}
        self._lock = threading.Lock()

    def _directory(self) -> Directory:
        mtime = self._path.stat().st_mtime if self._path.exists() else 0.0
        if self._loaded is None or self._loaded[0] != mtime:
            self._loaded = (mtime, Directory.load(self._path))
        return self._loaded[1]

    def verify(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> str:
        """Return the authenticated principal or raise Unauthenticated."""
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            principal = lowered[HEADER_PRINCIPAL]
            timestamp = lowered[HEADER_TIMESTAMP]
            nonce = lowered[HEADER_NONCE]
            signature = bytes.fromhex(lowered[HEADER_SIGNATURE])
        except (KeyError, ValueError):
            raise Unauthenticated("request is not signed") from None
        entry = self._directory().principals.get(principal)
        if entry is None or self._accept not in entry.roles:
            raise Unauthenticated(f"{principal!r} is not a known {self._accept}")
        try:
            sent = float(timestamp)
        except ValueError:
            raise Unauthenticated("bad timestamp") from None
        now = time.time()
        if abs(now - sent) > MAX_SKEW_S:
            raise Unauthenticated("request timestamp outside the accepted window")
        message = _message(method, path, timestamp, nonce, body)
        try:
            VerifyKey(entry.verify_key.encode(), encoder=HexEncoder).verify(message, signature)
        except BadSignatureError:
            raise Unauthenticated(f"bad signature for {principal!r}") from None
        with self._lock:
            for old in [n for n, t in self._nonces.items() if now - t > 2 * MAX_SKEW_S]:
                del self._nonces[old]
            if nonce in self._nonces:
                raise Unauthenticated("replayed request")
            self._nonces[nonce] = now
        return principal


def _message(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n{digest}".encode()
