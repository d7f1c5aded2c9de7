"""Where a local installation keeps its compute plane, under the data directory.

HOME/compute/directory.json   principals: nodes (with addresses) and schedulers
HOME/compute/keys/ID.key      private signing keys of the principals run from here
HOME/compute/grants.json      StaticGrants until the ledger answers grant questions
HOME/compute/tasks/           task records of the scheduler
HOME/compute/nodes/PARTY/     a node's budgets and step log
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from silkgate.compute._grants import GrantChecker, StaticGrants
from silkgate.compute._identity import Identity, Principal, register
from silkgate.compute._node import Node
from silkgate.compute._scheduler import Scheduler

SCHEDULER = "scheduler"


@dataclass(frozen=True, slots=True)
class ComputeHome:
    root: Path

    @classmethod
    def of(cls, home: Path) -> ComputeHome:
        return cls(home / "compute")

    @property
    def directory(self) -> Path:
        return self.root / "directory.json"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def grants(self) -> Path:
        return self.root / "grants.json"

    def node_state(self, party: str) -> Path:
        return self.root / "nodes" / party

    def open_scheduler(
        self, *, grants: GrantChecker | None = None, principal: str = SCHEDULER
    ) -> Scheduler:
        """The scheduler of this installation, enrolled in the directory on first use."""
        identity = Identity.load_or_create(principal, self.keys)
        register(
            self.directory,
            principal,
            Principal(verify_key=identity.verify_key_hex, roles=frozenset({"scheduler"})),
        )
        return Scheduler(
            identity=identity,
            directory_path=self.directory,
            grants=grants if grants is not None else StaticGrants.from_file(self.grants),
            store_dir=self.root / "tasks",
        )

    def make_node(
        self,
        party: str,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        grants: GrantChecker | None = None,
        default_epsilon: float = 10.0,
    ) -> Node:
        """A node for ``party`` (not started); ``enroll`` it once it listens."""
        return Node(
            identity=Identity.load_or_create(party, self.keys),
            party=party,
            data_dir=data_dir,
            state_dir=self.node_state(party),
            directory_path=self.directory,
            grants=grants if grants is not None else StaticGrants.from_file(self.grants),
            host=host,
            port=port,
            default_epsilon=default_epsilon,
        )

    def enroll(self, node: Node) -> None:
        identity = Identity.load_or_create(node.party, self.keys)
        register(
            self.directory,
            node.party,
            Principal(
                verify_key=identity.verify_key_hex,
                roles=frozenset({"node"}),
                address=node.address,
                tls_cert=node.tls_cert,
            ),
        )


def warm_up() -> None:
    """Load the engines' native libraries now, so a task's first step does not pay for it."""
    import opendp.prelude  # noqa: F401
    import spu.libspu
    import spu.psi  # noqa: F401
    import tenseal  # noqa: F401


def run_node(
    home: Path,
    party: str,
    data_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    default_epsilon: float = 10.0,
) -> None:
    """Serve ``party``'s node until interrupted (what `silkgate node` runs)."""
    compute = ComputeHome.of(home)
    node = compute.make_node(party, data_dir, host=host, port=port, default_epsilon=default_epsilon)
    warm_up()
    node.start()
    compute.enroll(node)
    print(f"node {party} serving on {node.address}", flush=True)
    node.serve_forever()
