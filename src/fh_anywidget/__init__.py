"""fh-anywidget: any anywidget widget, live and two-way, in a FastHTML app.

Importing this package routes every widget comm through the host (see ``bridge``), so widgets
created at module level, before ``WidgetHost(app)``, are captured too.
"""

from . import bridge
from .host import WidgetHost

bridge.install()

__all__ = ["WidgetHost"]
__version__ = "0.1.0"
