"""The `silkgate` command: global options, the command table, and the one place exit codes live."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import click
import typer
from pydantic import ValidationError
from rich.console import Console

from silkgate import __version__
from silkgate.cli import _assess, _classify, _commands, _run
from silkgate.cli._cluster import cluster_app, peer_command
from silkgate.cli._compute import compute_app, node_command
from silkgate.cli._ledger import ledger_app
from silkgate.cli._monitor import monitor_app
from silkgate.cli._state import CliState
from silkgate.domain import InvalidInput, SilkgateError

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2

app = typer.Typer(
    name="silkgate",
    help="Governance gateway for cross-border data flows between China and ASEAN.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", envvar="SILKGATE_HOME", help="data directory [./.silkgate]"),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="settings file [DATA_DIR/silkgate.toml]")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="tracebacks on errors")] = False,
) -> None:
    ctx.obj = CliState(
        data_dir=data_dir,
        config_file=config,
        as_json=as_json,
        debug=debug,
        console=Console(stderr=as_json),
    )


@app.command()
def version(ctx: typer.Context) -> None:
    """Print silkgate's version."""
    obj = ctx.find_root().obj
    if isinstance(obj, CliState) and obj.as_json:
        obj.emit({"version": __version__})
    else:
        typer.echo(__version__)


app.command()(_assess.assess)
app.command()(_classify.classify)
app.command()(_commands.init)
app.command()(_commands.schema)
app.command()(_commands.parties)
app.command()(_commands.datasets)
app.add_typer(_commands.token_app, name="token")
app.add_typer(ledger_app, name="ledger")
app.add_typer(compute_app, name="compute")
app.command("node")(node_command)
app.command("peer")(peer_command)
app.add_typer(cluster_app, name="cluster")
app.add_typer(monitor_app, name="monitor")
app.command()(_run.demo)
app.command()(_run.serve)


def exit_code_for(error: BaseException) -> int:
    """0 / 2 / 1 as docs/contracts.md fixes them: 2 is the caller's fault, 1 everything else."""
    if isinstance(error, InvalidInput | ValidationError | click.UsageError | click.BadParameter):
        return EXIT_BAD_INPUT
    return EXIT_FAILURE


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; errors become one line on stderr and an exit code (tracebacks with --debug)."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        app(args=args, prog_name="silkgate", standalone_mode=False)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.exceptions.Abort:
        sys.stderr.write("silkgate: aborted\n")
        return EXIT_FAILURE
    except click.ClickException as exc:
        sys.stderr.write(f"silkgate: {exc.format_message()}\n")
        return exit_code_for(exc)
    except SilkgateError as exc:
        if debug:
            raise
        sys.stderr.write(f"silkgate: {exc}\n")
        return exit_code_for(exc)
    except ValidationError as exc:
        if debug:
            raise
        sys.stderr.write(f"silkgate: {describe_validation_error(exc)}\n")
        return EXIT_BAD_INPUT
    except FileNotFoundError as exc:
        if debug:
            raise
        sys.stderr.write(f"silkgate: no such file: {exc.filename}\n")
        return EXIT_BAD_INPUT
    except Exception as exc:  # the CLI boundary: anything unexpected is exit 1, one line
        if debug:
            raise
        sys.stderr.write(f"silkgate: internal error ({type(exc).__name__}): {exc}\n")
        return EXIT_FAILURE
    return EXIT_OK


def describe_validation_error(exc: ValidationError) -> str:
    """One line: where the first problem is, what it is, and how many more there are."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or exc.title
    message = str(first["msg"]).removeprefix("Value error, ")
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {message}{more}"
