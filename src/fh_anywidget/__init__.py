"""fh-anywidget: any Jupyter widget, live and two-way, in a FastHTML app.

Importing this package changes nothing: the first ``WidgetHost(app)`` routes widget comms
through the host (see ``bridge``) and moves the widgets made before it.
"""

from .host import WidgetHost

__all__ = ["WidgetHost"]
__version__ = "0.1.0"
