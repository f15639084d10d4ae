"""A widget filters a server-rendered table; an htmx form edits the widget (docs/htmx.md)."""

import anywidget
import traitlets
from fasthtml.common import (
    H2,
    Button,
    Div,
    Form,
    Input,
    Label,
    P,
    Span,
    Table,
    Tbody,
    Td,
    Th,
    Thead,
    Tr,
)

from demo.layout import layout

TITLE = "Widgets and htmx: a filtered table"
PATH = "/htmx-dashboard"
ORDER = 20

PRODUCTS = [
    ("Anvil", 120), ("Bicycle", 450), ("Candle", 4), ("Desk", 230), ("Easel", 65),
    ("Fan", 35), ("Guitar", 380), ("Hammock", 90), ("Ink", 8), ("Jacket", 150),
    ("Kettle", 40), ("Lamp", 55), ("Mirror", 75), ("Notebook", 6), ("Oven", 600),
]


class PriceRange(anywidget.AnyWidget):
    """Two sliders: the lowest and highest price to show."""

    _esm = """
    export default {
      render({ model, el }) {
        const row = (key) => {
          const label = document.createElement("label");
          const input = Object.assign(document.createElement("input"),
            { type: "range", min: 0, max: 600, step: 5, className: `price-${key}` });
          const out = document.createElement("output");
          const paint = () => { input.value = model.get(key); out.textContent = model.get(key); };
          input.addEventListener("input", () => {
            model.set(key, Number(input.value));
            model.save_changes();
          });
          model.on(`change:${key}`, paint);
          paint();
          label.append(`${key} `, input, " ", out);
          return label;
        };
        el.append(row("lo"), document.createElement("br"), row("hi"));
      },
    };
    """
    _css = ".price-lo, .price-hi { width: 18em; vertical-align: middle; }"
    lo = traitlets.Int(0).tag(sync=True)
    hi = traitlets.Int(600).tag(sync=True)

    @traitlets.validate("hi")
    def _hi_not_below_lo(self, proposal):
        return max(proposal["value"], self.lo)


def table(lo: int, hi: int):
    rows = [Tr(Td(name), Td(f"${price}"),
               Td(Button("details", hx_get=f"{PATH}/details/{name}", hx_target="#details")))
            for name, price in PRODUCTS if lo <= price <= hi]
    return Table(Thead(Tr(Th("Product"), Th("Price"), Th())), Tbody(*rows), id="products")


def range_inputs(lo: int, hi: int):
    """The form's fields, rendered from the widget's state (and pushed again when it changes)."""
    return (Input(name="lo", type="number", value=lo, id="form-lo"),
            Input(name="hi", type="number", value=hi, id="form-hi"))


def register(rt, host):
    @rt(PATH)
    def dashboard():
        prices = PriceRange(lo=0, hi=600)  # made during this request: this tab's own widget

        def refilter(change):
            # Every page showing this widget gets the new table, swapped in by id...
            host.push(prices, table(prices.lo, prices.hi), *range_inputs(prices.lo, prices.hi))
            # ...and hears an event that hx-trigger elements may listen to.
            host.trigger(prices, "prices-changed", {"lo": prices.lo, "hi": prices.hi})

        prices.observe(refilter, names=["lo", "hi"])
        lo_field, hi_field = range_inputs(prices.lo, prices.hi)
        return layout(
            TITLE,
            H2("Filter with the widget"), prices,
            P("Showing ", Span(id="summary", hx_get=f"{PATH}/summary",
                               hx_trigger="load, prices-changed from:body")),
            table(prices.lo, prices.hi),
            Div(id="details"),
            H2("…or edit the widget with an htmx form"),
            Form(Label("lowest ", lo_field), Label(" highest ", hi_field),
                 Button("Apply", id="apply"), Div(id="form-status"),
                 hx_post=f"{PATH}/range", hx_target="#form-status"),
        )

    @rt(f"{PATH}/range", methods=["post"])
    def set_range(req, lo: int, hi: int):
        # The runtime sends this tab's page tokens with the request: find its widget by type.
        found = host.widgets(req, PriceRange)
        for prices in found:
            with prices.hold_trait_notifications():
                prices.lo, prices.hi = lo, hi
        return "updated" if found else "this page has expired: reload it"

    @rt(f"{PATH}/summary")
    def summary(req):
        found = host.widgets(req, PriceRange)
        if not found:
            return "all products"
        lo, hi = found[0].lo, found[0].hi
        count = sum(1 for _, price in PRODUCTS if lo <= price <= hi)
        return f"{count} of {len(PRODUCTS)} products between ${lo} and ${hi}"

    @rt(f"{PATH}/details/{{name}}")
    def details(name: str):
        price = dict(PRODUCTS).get(name)
        return P(f"{name}: ${price}, in stock.") if price is not None else P("unknown product")
