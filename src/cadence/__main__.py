"""``python -m cadence``: the command line, when the ``cli`` extra is installed."""

from __future__ import annotations


def _run() -> None:
    try:
        from cadence.cli import main
    except ImportError as exc:
        msg = f"the cadence command needs the cli extra: pip install 'cadence[cli]' ({exc})"
        raise SystemExit(msg) from None
    main()


if __name__ == "__main__":
    _run()
