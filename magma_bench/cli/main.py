"""Entry point of `magma-bench`. Subcommands live one per module and are imported only when used,
so `magma-bench list` never pays for torch, mujoco or playwright."""

from __future__ import annotations

import importlib
import sys

import click

from magma_bench.errors import UserError, environment_error

COMMANDS = {
    "list": "magma_bench.cli.list_cmd:list_cmd",
    "generate": "magma_bench.cli.generate_cmd:generate_cmd",
    "run": "magma_bench.cli.run_cmd:run_cmd",
    "score": "magma_bench.cli.score_cmd:score_cmd",
    "compare": "magma_bench.cli.compare_cmd:compare_cmd",
    "sweep": "magma_bench.cli.sweep_cmd:sweep_cmd",
    "report": "magma_bench.cli.report_cmd:report_cmd",
    "train": "magma_bench.cli.train_cmd:train_cmd",
    "ablation": "magma_bench.cli.ablation_cmd:ablation_cmd",
    "leaderboard": "magma_bench.cli.leaderboard_cmd:leaderboard_cmd",
    "perf": "magma_bench.cli.perf_cmd:perf_cmd",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, _, attr = COMMANDS[name].partition(":")
        return getattr(importlib.import_module(module), attr)

    def resolve_command(self, ctx: click.Context, args: list[str]):  # type: ignore[override]
        name = args[0] if args else None
        if name and not name.startswith("-") and name not in COMMANDS:
            from magma_bench.errors import did_you_mean

            raise click.UsageError(f"no such command {name!r}{did_you_mean(name, COMMANDS)}")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="magma-bench")
def cli() -> None:
    """Benchmark harness and leaderboards for multimodal agent models (Magma, arXiv 2502.13130)."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a UserError, a full disk or an unwritable path ends in one line on stderr and
    exit status 2. Other exceptions are bugs and keep their traceback."""
    try:
        cli.main(args=argv, prog_name="magma-bench", standalone_mode=False)
    except UserError as e:
        click.echo(f"magma-bench: error: {e}", err=True)
        return 2
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except click.exceptions.Abort:
        click.echo("magma-bench: aborted", err=True)
        return 130
    except click.exceptions.Exit as e:
        return e.exit_code
    except KeyboardInterrupt:
        click.echo("magma-bench: interrupted; re-run the same command to resume", err=True)
        return 130
    except OSError as e:  # a full disk or a read-only path is one line; anything else is a bug
        line = environment_error(e)
        if line is None:
            raise
        click.echo(f"magma-bench: error: {line}", err=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
