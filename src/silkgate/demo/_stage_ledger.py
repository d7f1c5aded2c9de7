"""The demo's ledger stage: datasets sealed and registered, policies, one grant, one denial.

Each owner seals its sample in the vault and registers it with the content hash; owners
attach a Cedar policy (download or PSI for research by GLOBAL_CBPR-certified members);
sg-lionhealth is allowed and granted cn-gxic's outpatients, fetches the data key through
threshold re-encryption by the peers and checks the hash; vn-mekonglog is denied; then
every peer's ledger is verified.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from silkgate.demo._samples import Sample
from silkgate.gate import Platform
from silkgate.ledger import Consortium, registry_args, verify_ledger
from silkgate.vault import Proxy, Vault, VaultKeys, delegate, unseal_shared

DEMO_POLICY = """permit(
    principal,
    action in [Action::"view", Action::"download", Action::"compute:psi"],
    resource
) when {
    context.purpose == "research" && principal.certifications.contains("GLOBAL_CBPR")
};"""


def run_ledger_stage(platform: Platform, samples: list[Sample], home: Path) -> dict[str, object]:
    started = time.perf_counter()
    parties = platform.registry.parties()
    vault = Vault(home / "vault")
    with Consortium.create(home / "ledger", parties) as consortium:
        keys = {p.id: VaultKeys.generate() for p in parties}
        for org, pair in keys.items():
            pair.save(home / "ledger" / "orgs" / org / "vault.key")
        registered = policies = 0
        for sample in samples:
            owner = sample.dataset.owner
            sealed = vault.seal(sample.dataset.id, sample.path, keys[owner])
            client = consortium.client(owner)
            client.invoke(
                "registry", "register", registry_args(sample.dataset, vault_ref=sealed.ref)
            )
            registered += 1
            client.invoke(
                "access",
                "set_policy",
                {
                    "dataset_id": sample.dataset.id,
                    "policy_id": "research-cbpr",
                    "cedar": DEMO_POLICY,
                },
            )
            policies += 1

        target = next(s for s in samples if s.dataset.owner == "cn-gxic")
        requester_keys = keys["sg-lionhealth"]
        asked = {"dataset_id": target.dataset.id, "scope": "download", "purpose": "research"}
        allowed = consortium.client("sg-lionhealth").invoke(
            "access", "request",
            {**asked, "destination": "SG", "recipient_key": requester_keys.public_hex},
        )  # fmt: skip
        denied = consortium.client("vn-mekonglog").invoke(
            "access", "request", {**asked, "destination": "VN"}
        )
        grant_id = str(allowed.response["request_id"])
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
        consortium.client("cn-gxic").invoke(
            "access", "grant",
            {"dataset_id": target.dataset.id, "request_id": grant_id,
             "expires_at": expires.isoformat()},
        )  # fmt: skip

        shares = len(consortium.peers)
        threshold = shares // 2 + 1
        proxies = [Proxy(org, peer) for org, peer in consortium.peers.items()]
        fragments = delegate(
            keys["cn-gxic"], requester_keys.public_hex, grant_id=grant_id,
            dataset_id=target.dataset.id, threshold=threshold, shares=shares,
        )  # fmt: skip
        for proxy, fragment in zip(proxies, fragments, strict=True):
            proxy.accept(fragment)
        record = consortium.peer().get(f"dataset/{target.dataset.id}")
        sealed = vault.get(record["vault_ref"])
        cfrags = [p.reencrypt(grant_id, sealed.capsule) for p in proxies[:threshold]]
        out = home / "received" / f"{target.dataset.id}.{target.path.suffix.lstrip('.')}"
        out.parent.mkdir(parents=True, exist_ok=True)
        unseal_shared(
            vault, sealed, requester_keys, cfrags, out, expected_hash=record["content_hash"]
        )
        consortium.client("sg-lionhealth").invoke(
            "access", "use", {"dataset_id": target.dataset.id, "grant_id": grant_id,
                              "kind": "download"},
        )  # fmt: skip
        height = consortium.peer().height
        agree = consortium.peers_agree()
    reports = verify_ledger(home / "ledger")
    return {
        "datasets_registered": registered,
        "policies_set": policies,
        "grants": 1,
        "denials": 1 if denied.response["decision"] == "deny" else 0,
        "reencryption": f"{threshold}-of-{shares}",
        "hash_matches": True,
        "height": height,
        "peers_agree": agree,
        "verify": "ok" if all(r.ok for r in reports) else "failed",
        "seconds": round(time.perf_counter() - started, 3),
    }
