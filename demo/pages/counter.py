"""The smallest live widget: a per-visitor counter and one counter shared by everyone."""

import anywidget
import traitlets
from fasthtml.common import H2, P

from demo.layout import layout

TITLE = "Counters"
PATH = "/counter"


class Counter(anywidget.AnyWidget):
    _esm = """
    export default {
      render({ model, el }) {
        const button = document.createElement("button");
        const paint = () => { button.textContent = `count is ${model.get("value")}`; };
        paint();
        button.addEventListener("click", () => {
          model.set("value", model.get("value") + 1);
          model.save_changes();
        });
        model.on("change:value", paint);
        el.append(button);
      },
    };
    """
    _css = "button { font: 600 15px system-ui; padding: .4em 1em; }"
    value = traitlets.Int(0).tag(sync=True)


shared = Counter()  # module level: every visitor sees (and moves) the same count


def register(rt, host):
    @rt(PATH)
    def counter_page():
        mine = Counter()  # made during the request: belongs to this page only
        return layout(
            TITLE,
            H2("Yours"), P("Only this tab sees this counter."), mine,
            H2("Everyone's"), P("Open a second tab: this one is shared."), shared,
        )
