"""``%load_ext kbfix``: after a failing cell's usual traceback, show kbfix's diagnosis (Jupyter, Colab)."""

from __future__ import annotations

import sys

from kbfix.hook import report_exception


def load_ipython_extension(ip) -> None:
    ip.set_custom_exc((Exception,), _handler)


def unload_ipython_extension(ip) -> None:
    ip.set_custom_exc((), None)


def _handler(shell, etype, value, tb, tb_offset=None):
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    report_exception(value, file=sys.stdout, tb=_cell_frames(tb))


def _cell_frames(tb):
    """Skip IPython's own frames above the cell, as its traceback display does."""
    first = tb
    while tb is not None and "IPython" in tb.tb_frame.f_code.co_filename.replace("\\", "/").split("/"):
        tb = tb.tb_next
    return tb or first
