"""The ClientApp each party's SuperNode runs: trains on that party's rows, which stay there.

The party's node prepares its split (`_models.Split`) and hands its path to the SuperNode as
``node-config`` ``data-path``. Every model update leaves through ``secaggplus_mod`` (SecAgg+
masking: the SuperLink sees only the sum); with DP the update is clipped first
(``fixedclipping_mod``, when the server's DP wrapper asks for it). Training loss and
evaluation metrics go back as the party's means (aggregated by the server).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flwr.client import ClientApp, NumPyClient
from flwr.client.mod import fixedclipping_mod, secaggplus_mod
from flwr.clientapp.typing import ClientAppCallable
from flwr.common import Context, Message, MessageType
from flwr.common.secure_aggregation.secaggplus_constants import RECORD_KEY_STATE
from flwr.compat.common import recorddict_compat as compat
from flwr.supercore.differential_privacy import KEY_CLIPPING_NORM

from silkgate.compute._flower._models import (
    Arrays,
    Split,
    Training,
    evaluate,
    get_arrays,
    make_model,
    set_arrays,
    train,
)

UNMASKED_STAGE = "unmask"


class PartyClient(NumPyClient):
    def __init__(self, split: Split, context: Context) -> None:
        self.split = split
        self.node_context = context

    def fit(self, parameters: Arrays, config: dict[str, Any]) -> tuple[Arrays, int, dict[str, Any]]:
        training = Training.from_config(config)
        model = make_model(training)
        set_arrays(model, parameters)
        loss = train(model, training, self.split.x_train, self.split.y_train,
                     int(config.get("round", 0)))  # fmt: skip
        return get_arrays(model), len(self.split.y_train), {"train_loss": loss}

    def evaluate(
        self, parameters: Arrays, config: dict[str, Any]
    ) -> tuple[float, int, dict[str, Any]]:
        training = Training.from_config(config)
        model = make_model(training)
        set_arrays(model, parameters)
        loss, accuracy = evaluate(model, self.split.x_test, self.split.y_test)
        state = self.node_context.state.config_records.get(RECORD_KEY_STATE)
        # The SecAgg+ state this node keeps: its last fit went through all four stages.
        masked = state is not None and state.get("current_stage") == UNMASKED_STAGE
        metrics = {"accuracy": accuracy, "log_loss": loss, "secaggplus": 1.0 if masked else 0.0}
        return loss, len(self.split.y_test), metrics


def _client_fn(context: Context) -> Any:
    path = Path(str(context.node_config["data-path"]))
    return PartyClient(Split.load(path), context).to_client()


def _clip_when_asked(msg: Message, context: Context, call_next: ClientAppCallable) -> Message:
    """``fixedclipping_mod`` for runs whose server wraps its strategy for DP; else nothing."""
    if msg.metadata.message_type == MessageType.TRAIN:
        config = compat.recorddict_to_fitins(msg.content, keep_input=True).config
        if KEY_CLIPPING_NORM in config:
            return fixedclipping_mod(msg, context, call_next)
    return call_next(msg, context)


app = ClientApp(client_fn=_client_fn, mods=[secaggplus_mod, _clip_when_asked])
