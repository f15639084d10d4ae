"""Demo pages. Each module defines ``TITLE``, ``PATH`` and ``register(rt, host)``."""
