"""What every ``cadence`` command shares: one-line errors with exit status 2, and the policy
option. Part of the CLI edge (the ``cli`` extra); the core never imports it."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from cadence.files import read_policy
from cadence.policy import Policy

__all__ = ["OneLineErrors", "PolicyFile", "error_line", "fail", "policy_or_default"]

#: The ``--policy`` option every deciding command takes (read with :func:`policy_or_default`).
PolicyFile = Annotated[
    Path | None, typer.Option("--policy", help="Policy file (JSON or YAML); default: Policy().")
]


def error_line(message: str) -> None:
    """Print ``message`` to stderr as one ``error:`` line."""
    line = " ".join(message.split())  # one line, whatever the message held
    Console(stderr=True).print(
        f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True
    )


def fail(message: str) -> NoReturn:
    """Print ``message`` as one line and exit with status 2 (a user error: no traceback)."""
    error_line(message)
    raise typer.Exit(2)


# The parser's own errors: typer >= 0.16 carries a private copy of click, so find the classes
# through the public ``typer.BadParameter`` rather than importing click.
_USAGE_ERROR: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError"
)
_CLICK_ERROR: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)


class OneLineErrors(TyperGroup):
    """Usage errors (a missing option, a choice that does not exist, an unknown command) print
    one line and exit 2, like cadence's own errors, instead of a framed panel."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        run = {"args": args, "prog_name": prog_name, "complete_var": complete_var, **extra}
        run["windows_expand_args"] = windows_expand_args
        if not standalone_mode:
            return super().main(**run, standalone_mode=False)
        try:
            code = super().main(**run, standalone_mode=False)
        except _CLICK_ERROR as caught:
            exc: Any = caught  # typer's copy of click.ClickException
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help is already printed
                sys.exit(exc.exit_code)
            message = exc.format_message().replace("Value error, ", "")
            ctx = getattr(exc, "ctx", None)
            if isinstance(exc, _USAGE_ERROR) and ctx is not None:
                message += f" (see {ctx.command_path} --help)"
            error_line(message)
            sys.exit(exc.exit_code)
        except typer.Abort:
            error_line("aborted")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def policy_or_default(path: Path | None) -> Policy:
    """The policy in ``path`` (JSON or YAML), or ``Policy()`` when no file is given."""
    return Policy() if path is None else read_policy(path)
