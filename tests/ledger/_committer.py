"""Child process for the kill test: commit with a hook that stops inside the transaction."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from silkgate.ledger import Consortium


def main(home: Path, stop_at: int) -> None:
    def hook(number: int) -> None:
        if number == stop_at:
            print("IN-COMMIT", flush=True)
            time.sleep(120)

    consortium = Consortium(home, commit_hook=hook).start(sync=False)
    owner = consortium.client("cn-gxic")
    for i in range(40):
        args = {"dataset_id": "cn-visits", "receipt_hash": f"{i:064x}"}
        owner.submit(owner.prepare("consent", "record", args))
    consortium.settle()
    print("FINISHED", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
