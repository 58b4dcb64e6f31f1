"""One module per ``kbc`` verb; each exposes a click command named ``command``."""
