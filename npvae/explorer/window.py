"""The explorer in a window: the one place that touches pyplot and the display.

Importing pyplot makes matplotlib choose its backend (Tk, Qt, ... or Agg, which draws
without a window), so nothing here is imported before a window is wanted.
"""

from npvae.explorer.state import Explorer
from npvae.pictures.png import display_available


def display_problem():
    """Why no window can open here (one line), or None if one can.

    Importing pyplot chooses matplotlib's backend, so this is where it happens.
    """
    if not display_available():
        return "no display (DISPLAY and WAYLAND_DISPLAY are unset)"
    import matplotlib.pyplot  # noqa: F401  (resolves the backend)
    from matplotlib.backends import BackendFilter, backend_registry
    backend = matplotlib.get_backend()
    if backend.lower() not in backend_registry.list_builtin(BackendFilter.INTERACTIVE):
        return (f"matplotlib's backend {backend!r} cannot open windows (is MPLBACKEND set, "
                f"or tkinter missing?)")
    return None


def open_window(model, x=None, labels=None, dims=(0, 1), save_folder=".", label=None,
                codes=None):
    """Open the explorer in a window (a conditional model's drawing ``label`` first) and
    return when it is closed."""
    import matplotlib.pyplot as plt
    figure = plt.figure(num="npvae explore")
    manager = figure.canvas.manager
    # matplotlib's own keys ("s" opens a save dialog, "c" goes back) would shadow ours.
    if getattr(manager, "key_press_handler_id", None) is not None:
        figure.canvas.mpl_disconnect(manager.key_press_handler_id)
    figure.canvas.mpl_connect("key_press_event",
                              lambda event: plt.close(figure) if event.key == "q" else None)
    explorer = Explorer(model, x, labels, dims, save_folder, figure=figure, label=label,
                        codes=codes)
    plt.show()
    return explorer
