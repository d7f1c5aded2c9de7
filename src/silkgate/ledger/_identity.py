"""Identities as in Fabric's MSP: one X.509 CA per organisation, certificates with attributes.

Every member organisation runs its own certificate authority (an Ed25519 key and a
self-signed certificate). It issues certificates to its peers, clients, admins and the
orderer; each carries the attributes ABAC policies read (organisation, country, role,
certifications) in the extension Fabric uses for attributes (OID 1.2.3.4.5.6.7.8.1, JSON).
Revocation is a CRL signed by the same CA.

Guarantee: a certificate is accepted only if the consortium configuration names its
issuer's CA certificate, its signature verifies under that CA key, the time is inside its
validity and the issuer's newest CRL on the ledger does not list its serial number.
Assumption: CA private keys stay with their organisations (here: files under the ledger home).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from silkgate.ledger._errors import UnknownIdentity
from silkgate.ledger._types import Role

ATTRIBUTES_OID = x509.ObjectIdentifier("1.2.3.4.5.6.7.8.1")
"""The OID Fabric CA puts attributes under; the value is JSON ``{"attrs": {...}}``."""

_ROLES: tuple[Role, ...] = ("peer", "client", "admin", "orderer")

ROLE_DOMAIN = "roles.silkgate.invalid"
"""Every certificate names its role as ``role@ROLE_DOMAIN`` (an e-mail alternative name):
NATS servers map a client to a user by its first e-mail name, so permissions go by role."""


def role_address(role: str) -> str:
    return f"{role}@{ROLE_DOMAIN}"


@dataclass(frozen=True, slots=True)
class Member:
    """What a validated certificate says about its holder."""

    org: str
    name: str
    role: Role
    country: str
    certifications: tuple[str, ...]
    serial: int
    not_before: dt.datetime
    not_after: dt.datetime
    public_key: bytes
    cert_pem: str

    @property
    def subject(self) -> str:
        """``org/name``, unique in the consortium."""
        return f"{self.org}/{self.name}"

    def attributes(self) -> dict[str, object]:
        return {
            "org": self.org,
            "name": self.name,
            "role": self.role,
            "country": self.country,
            "certifications": list(self.certifications),
        }

    def verify(self, data: bytes, signature: bytes) -> bool:
        return verify_signature(self.public_key, data, signature)


_VERIFY_KEYS: dict[bytes, VerifyKey] = {}


def verify_signature(public_key: bytes, data: bytes, signature: bytes) -> bool:
    """Ed25519 verification with PyNaCl (libsodium), the fastest verifier installed."""
    key = _VERIFY_KEYS.get(public_key)
    if key is None:
        key = _VERIFY_KEYS.setdefault(public_key, VerifyKey(public_key))
    try:
        key.verify(data, signature)
    except (BadSignatureError, ValueError):
        return False
    return True


def parse_member(cert: x509.Certificate, pem: str) -> Member:
    """Read the attributes of ``cert``; raise UnknownIdentity when they are missing."""
    try:
        ext = cert.extensions.get_extension_for_oid(ATTRIBUTES_OID).value
        assert isinstance(ext, x509.UnrecognizedExtension)
        attrs = json.loads(ext.value)["attrs"]
        org = cert.issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
        name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        role = attrs["role"]
    except (x509.ExtensionNotFound, KeyError, IndexError, ValueError) as exc:
        raise UnknownIdentity(f"certificate has no silkgate attributes ({exc})") from None
    if role not in _ROLES or attrs.get("org") != org:
        raise UnknownIdentity(
            f"certificate attributes name role {role!r} of org {attrs.get('org')}"
        )
    key = cert.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise UnknownIdentity("certificate key is not Ed25519")
    return Member(
        org=str(org),
        name=str(name),
        role=role,
        country=str(attrs.get("country", "")),
        certifications=tuple(sorted(attrs.get("certifications", ()))),
        serial=cert.serial_number,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        public_key=key.public_bytes_raw(),
        cert_pem=pem,
    )


class Identity:
    """A member's certificate and signing key: what a peer, client or admin acts with."""

    def __init__(self, cert_pem: str, seed: bytes) -> None:
        self.cert_pem = cert_pem
        self.member = parse_member(x509.load_pem_x509_certificate(cert_pem.encode()), cert_pem)
        self._key = SigningKey(seed)
        if bytes(self._key.verify_key) != self.member.public_key:
            raise UnknownIdentity(f"{self.member.subject}: key does not match the certificate")

    @property
    def subject(self) -> str:
        return self.member.subject

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data).signature

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{self.member.name}.pem").write_text(self.cert_pem)
        key = Ed25519PrivateKey.from_private_bytes(bytes(self._key))
        _write_private(directory / f"{self.member.name}.key", key)

    @classmethod
    def load(cls, directory: Path, name: str) -> Identity:
        pem_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
        if not pem_path.is_file() or not key_path.is_file():
            raise UnknownIdentity(f"no enrolment {name!r} in {directory}", field="member")
        return cls(pem_path.read_text(), _read_private(key_path).private_bytes_raw())


class CertificateAuthority:
    """One organisation's CA: issues member certificates and signs its revocation list."""

    def __init__(self, org: str, country: str, cert: x509.Certificate, key: Ed25519PrivateKey):
        self.org = org
        self.country = country
        self.cert = cert
        self._key = key
        self._revoked: dict[int, dt.datetime] = {}
        self._crl_number = 0

    @classmethod
    def make(
        cls, org: str, country: str, *, now: dt.datetime | None = None
    ) -> CertificateAuthority:
        key = Ed25519PrivateKey.generate()
        start = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=5)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, f"ca.{org}"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            ]
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, None)
        )
        return cls(org, country, cert, key)

    @property
    def cert_pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    def enroll(
        self,
        name: str,
        role: Role,
        *,
        certifications: Iterable[str] = (),
        valid_days: float = 365,
        now: dt.datetime | None = None,
        hosts: Iterable[str] = (),
    ) -> Identity:
        """Make a key pair and a certificate for ``name`` with the organisation's attributes.

        The subject alternative name holds the role as an e-mail name (``role_address``)
        and ``hosts`` (IP addresses or DNS names), for a server whose clients check its host
        name (NATS servers); member certificates have no hosts.
        """
        if role not in _ROLES:
            raise UnknownIdentity(f"role {role!r} is not one of {', '.join(_ROLES)}", field="role")
        key = Ed25519PrivateKey.generate()
        start = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=5)
        attrs = {
            "org": self.org,
            "role": role,
            "country": self.country,
            "certifications": sorted(set(certifications)),
        }
        builder = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.COMMON_NAME, name),
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.org),
                        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, role),
                    ]
                )
            )
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=valid_days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.UnrecognizedExtension(
                    ATTRIBUTES_OID, json.dumps({"attrs": attrs}, sort_keys=True).encode()
                ),
                critical=False,
            )
        )
        names = [x509.RFC822Name(role_address(role)), *(_general_name(host) for host in hosts)]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        cert = builder.sign(self._key, None)
        pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        return Identity(pem, key.private_bytes_raw())

    def revoke(self, member: Member, *, now: dt.datetime | None = None) -> str:
        """Add ``member`` to the revocation list and return the new CRL (PEM) to publish."""
        if member.org != self.org:
            raise UnknownIdentity(f"{member.subject} was not issued by {self.org}", field="member")
        self._revoked[member.serial] = now or dt.datetime.now(dt.UTC)
        return self.crl_pem(now=now)

    def crl_pem(self, *, now: dt.datetime | None = None) -> str:
        self._crl_number += 1
        at = now or dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject)
            .last_update(at)
            .next_update(at + dt.timedelta(days=30))
            .add_extension(x509.CRLNumber(self._crl_number), critical=False)
        )
        for serial, when in sorted(self._revoked.items()):
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
            )
        crl = builder.sign(self._key, None)
        return crl.public_bytes(serialization.Encoding.PEM).decode()

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "ca.pem").write_text(self.cert_pem)
        _write_private(directory / "ca.key", self._key)
        state = {
            "country": self.country,
            "crl_number": self._crl_number,
            "revoked": {str(s): t.isoformat() for s, t in self._revoked.items()},
        }
        (directory / "ca.json").write_text(json.dumps(state, indent=2) + "\n")

    @classmethod
    def load(cls, directory: Path, org: str) -> CertificateAuthority:
        cert = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
        state = json.loads((directory / "ca.json").read_text())
        ca = cls(org, state["country"], cert, _read_private(directory / "ca.key"))
        ca._crl_number = int(state["crl_number"])
        ca._revoked = {int(s): dt.datetime.fromisoformat(t) for s, t in state["revoked"].items()}
        return ca


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(data)


def _read_private(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise UnknownIdentity(f"{path} does not hold an Ed25519 key")
    return key


class Msp:
    """Validates certificates against the configured CAs and their revocation lists.

    Parsing and CA-signature checks are cached per certificate; validity period and
    revocation are checked on every call, against the time and CRLs given.
    """

    def __init__(self, ca_pems: dict[str, str], crl_pems: dict[str, str]) -> None:
        self._cas = {org: x509.load_pem_x509_certificate(p.encode()) for org, p in ca_pems.items()}
        self._revoked: dict[str, frozenset[int]] = {org: frozenset() for org in self._cas}
        for org, pem in crl_pems.items():
            self._revoked[org] = frozenset(self._crl_serials(org, pem))
        self._cache: dict[str, Member | str] = {}

    def _crl_serials(self, org: str, pem: str) -> set[int]:
        crl = load_crl(pem)
        ca_key = self._cas[org].public_key()
        assert isinstance(ca_key, Ed25519PublicKey)
        if not crl.is_signature_valid(ca_key):
            raise UnknownIdentity(f"CRL of {org} is not signed by its CA", field="crl")
        return {r.serial_number for r in crl}

    def check_crl(self, org: str, pem: str) -> int:
        """The CRL number of ``pem`` once its signature by ``org``'s CA verifies."""
        if org not in self._cas:
            raise UnknownIdentity(f"no organisation {org!r} in the consortium", field="org")
        self._crl_serials(org, pem)
        number = load_crl(pem).extensions.get_extension_for_class(x509.CRLNumber).value
        return int(number.crl_number)

    def member(self, cert_pem: str) -> Member | str:
        """The member a certificate names, or ``"BAD_CERTIFICATE"`` if no CA of ours issued it."""
        found = self._cache.get(cert_pem)
        if found is None:
            found = self._parse(cert_pem)
            self._cache[cert_pem] = found
        return found

    def _parse(self, cert_pem: str) -> Member | str:
        try:
            cert = x509.load_pem_x509_certificate(cert_pem.encode())
            org = cert.issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
            ca = self._cas.get(str(org))
            if ca is None:
                return "BAD_CERTIFICATE"
            cert.verify_directly_issued_by(ca)
            return parse_member(cert, cert_pem)
        except (ValueError, TypeError, IndexError, InvalidSignature, UnknownIdentity):
            return "BAD_CERTIFICATE"

    def identify(self, cert_pem: str, at: dt.datetime) -> Member | str:
        """The member, or the validation code that keeps the certificate out."""
        found = self.member(cert_pem)
        if isinstance(found, str):
            return found
        if not found.not_before <= at <= found.not_after:
            return "BAD_CERTIFICATE"
        if found.serial in self._revoked.get(found.org, frozenset()):
            return "REVOKED_CERTIFICATE"
        return found


def load_crl(pem: str) -> x509.CertificateRevocationList:
    try:
        return x509.load_pem_x509_crl(pem.encode())
    except ValueError:
        raise UnknownIdentity("not a PEM certificate revocation list", field="crl") from None
