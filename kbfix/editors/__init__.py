"""kbfix where people already debug: an MCP server for agents (``kbfix mcp``), a language server for
editors (``kbfix lsp``), and recipes for VS Code, Neovim and agent clients (``recipes/``).

``answers`` holds what both servers answer and imports no SDK; ``mcp_server`` and ``lsp_server``
import theirs (the ``editors`` extra) only when started, so the pipe never pays for them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

EXTRA = "editors"
RECIPES = Path(__file__).parent / "recipes"
NEEDS = {"mcp": ("mcp",), "lsp": ("pygls", "lsprotocol")}


def missing(command: str) -> tuple[str, ...]:
    """The modules ``kbfix COMMAND`` needs that are not installed."""
    return tuple(m for m in NEEDS[command] if not _installed(m))


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def install_hint(command: str) -> str:
    names = ", ".join(missing(command)) or ", ".join(NEEDS[command])
    return (f"'kbfix {command}' needs {names}, from the optional '{EXTRA}' extra: "
            f"pip install 'kbfix[{EXTRA}]'")
