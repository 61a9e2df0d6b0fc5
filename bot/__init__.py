"""The platform-neutral core."""


def version() -> str:
    """The installed package's version (pyproject.toml's), as `--version` and the start-up log
    report it, so an operator can tell which release a process runs."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("guidance-bot")
    except PackageNotFoundError:
        return "unknown (not installed: pip install .)"
