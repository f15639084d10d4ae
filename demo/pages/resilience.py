"""Reconnect without losing anything: drop the socket, keep clicking, watch it catch up."""

import anywidget
import traitlets
from fasthtml.common import H2, Button, P

from demo.layout import layout

TITLE = "Offline and back"
PATH = "/resilience"
ORDER = 60


class Tally(anywidget.AnyWidget):
    """Counts each click twice: as synced state and as a message Python adds up. After any
    number of disconnects both numbers agree: nothing was lost, nothing applied twice."""

    _esm = """
    export default {
      render({ model, el }) {
        const button = document.createElement("button");
        const paint = () => {
          const [clicks, total] = [model.get("clicks"), model.get("total")];
          button.textContent = `clicks ${clicks} · Python counted ${total}`;
        };
        paint();
        model.on("change", paint);
        button.addEventListener("click", () => {
          model.set("clicks", model.get("clicks") + 1);
          model.save_changes();
          model.send({ add: 1 });
        });
        el.append(button);
      },
    };
    """
    _css = "button { font: 600 15px system-ui; padding: .4em 1em; }"
    clicks = traitlets.Int(0).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.on_msg(lambda _w, content, _b: setattr(self, "total", self.total + content["add"]))


DROP = "for (const r of fhAnywidget.runtimes.values()) r.connection.ws.close()"


def register(rt, host):
    @rt(PATH)
    def resilience_page():
        return layout(
            TITLE,
            H2("Drop the connection"),
            P("Click the tally, drop the socket, click more while the badge says offline. "
              "When it reconnects, both numbers agree."),
            Tally(),
            Button("Drop the socket", onclick=DROP),
        )
