"""Small purpose-built widgets the tests drive."""

import anywidget
import traitlets


class Counter(anywidget.AnyWidget):
    _esm = """
    export default {
      render({ model, el }) {
        const button = document.createElement("button");
        button.className = "counter";
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
    _css = ".counter { font-weight: bold; }"
    value = traitlets.Int(0).tag(sync=True)


class Bounded(anywidget.AnyWidget):
    """A trait Python validates: writes outside 0..10 are refused."""

    _esm = """
    export default {
      render({ model, el }) {
        const input = document.createElement("input");
        input.className = "bounded";
        const paint = () => { input.value = String(model.get("value")); };
        paint();
        input.addEventListener("change", () => {
          model.set("value", Number(input.value));
          model.save_changes();
        });
        model.on("change:value", paint);
        el.append(input);
      },
    };
    """
    value = traitlets.Int(5).tag(sync=True)

    @traitlets.validate("value")
    def _check(self, proposal):
        if not 0 <= proposal["value"] <= 10:
            raise traitlets.TraitError("value must be within 0..10")
        return proposal["value"]
