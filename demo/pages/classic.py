"""Classic ipywidgets beside (and around) anywidgets: controls, containers, links, Output and
interactive, with ipywidgets 8's own front end and no kernel."""

import ipywidgets as w
from fasthtml.common import P

from demo.layout import layout
from demo.pages.counter import Counter

TITLE = "Classic ipywidgets next to anywidgets"
PATH = "/classic"
ORDER = 30


def controls() -> w.Widget:
    counter = Counter()
    slider = w.IntSlider(description="count", max=50)
    w.link((slider, "value"), (counter, "value"))  # in Python: either side moves the other
    mirror = w.IntText(description="jslink")
    w.jslink((slider, "value"), (mirror, "value"))  # in the browser
    log = w.Output(layout=w.Layout(border="1px solid #ccc", padding="4px", min_height="2em"))
    button = w.Button(description="Log the count", button_style="info")

    def clicked(_: w.Button) -> None:
        with log:  # printed into the Output, not onto the server's console
            print(f"the count is {counter.value}")

    button.on_click(clicked)
    return w.VBox([w.HBox([slider, counter]), mirror, w.HBox([button]), log])


def explorer() -> w.Widget:
    def power(base: int = 2, exponent: int = 8) -> None:
        print(f"{base} ** {exponent} = {base ** exponent:,}")

    return w.interactive(power, base=(1, 10), exponent=(0, 30))


def register(rt, host):
    @rt(PATH)
    def classic_page():
        return layout(
            TITLE,
            P("An IntSlider, an anywidget counter, a jslink and an Output in one VBox; the "
              "button's on_click prints into the Output."),
            controls(),
            P("interactive(f, base=(1, 10), exponent=(0, 30)) re-runs f on every change:"),
            explorer(),
        )
