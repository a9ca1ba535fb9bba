"""The terminal UI (Textual): ``kbfix``, ``kbfix tui [FILE]``, ``cmd 2>&1 | kbfix --tui``.

``app.make_app`` builds it, ``app.run_app`` runs it; ``screens``, ``dialogs`` and ``widgets`` hold
the parts, ``view`` the pure text rendering, ``app.tcss`` the styles.
"""
