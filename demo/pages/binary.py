"""Binary data both ways: Python paints pixels with numpy, the browser draws and sends them back."""

import anywidget
import numpy as np
import traitlets
from fasthtml.common import P

from demo.layout import layout

TITLE = "Binary data (numpy pixels, both ways)"
PATH = "/binary"
SIZE = 256


class Pixels(anywidget.AnyWidget):
    """`pixels` is raw RGBA bytes. Python → browser: a numpy array as a buffer; browser → Python:
    the canvas's bytes as a Uint8ClampedArray. Neither side ever base64-encodes anything."""

    _esm = """
    export default {
      render({ model, el }) {
        const size = model.get("size");
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = size;
        const ctx = canvas.getContext("2d");
        const info = document.createElement("p");
        const paint = () => {
          const view = model.get("pixels");  // a DataView over the received bytes, no copy
          if (!view) return;
          const rgba = new Uint8ClampedArray(view.buffer, view.byteOffset, view.byteLength);
          ctx.putImageData(new ImageData(rgba, size, size), 0, 0);
          info.textContent = `${model.get("summary")}`;
        };
        canvas.addEventListener("pointermove", (e) => {
          if (!e.buttons) return;
          ctx.fillStyle = "#fff";
          ctx.beginPath(); ctx.arc(e.offsetX, e.offsetY, 6, 0, 7); ctx.fill();
        });
        const noise = document.createElement("button");
        noise.textContent = "new image from Python";
        noise.onclick = () => model.send({ want: "image" });
        const send = document.createElement("button");
        send.textContent = "send my drawing to Python";
        send.onclick = () => {
          model.set("pixels", ctx.getImageData(0, 0, size, size).data);  // typed array, no copy
          model.save_changes();
        };
        model.on("change:pixels change:summary", paint);
        paint();
        el.append(canvas, document.createElement("div"), noise, send, info);
      },
    };
    """
    _css = "canvas { border: 1px solid #999; touch-action: none; } button { margin: .3em; }"
    size = traitlets.Int(SIZE).tag(sync=True)
    pixels = traitlets.Any(None).tag(sync=True)
    summary = traitlets.Unicode("").tag(sync=True)

    def __init__(self) -> None:
        super().__init__()
        self.on_msg(lambda _w, content, _b: content.get("want") == "image" and self.new_image())
        self.observe(self._received, "pixels")
        self.new_image()

    def new_image(self) -> None:
        rng = np.random.default_rng()
        y, x = np.mgrid[0:SIZE, 0:SIZE]
        hue = rng.random(3) * 255
        rgba = np.empty((SIZE, SIZE, 4), dtype=np.uint8)
        rgba[..., 0] = (x + hue[0]) % 256
        rgba[..., 1] = (y + hue[1]) % 256
        rgba[..., 2] = ((x ^ y) + hue[2]) % 256
        rgba[..., 3] = 255
        self.pixels = rgba  # a numpy array goes out as one binary frame
        self.summary = f"Python sent {rgba.nbytes:,} bytes"

    def _received(self, change: dict) -> None:
        if isinstance(change["new"], memoryview):  # written by the browser
            rgba = np.frombuffer(change["new"], dtype=np.uint8).reshape(SIZE, SIZE, 4)
            white = int((rgba[..., :3] == 255).all(axis=-1).sum())
            self.summary = f"Python received {rgba.nbytes:,} bytes; {white:,} white pixels"


def register(rt, host):
    @rt(PATH)
    def binary_page():
        return layout(TITLE,
                      P("Draw on the image, send it to Python, or ask Python for a new one."),
                      Pixels())
