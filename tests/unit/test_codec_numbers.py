"""Numbers that are not Python's own (numpy scalars) travel as JSON numbers, never as buffers."""

import json

import numpy as np

from fh_anywidget.codec import as_buffer, split_buffers, to_json


def test_numpy_scalars_are_json_numbers_not_buffers():
    state = {"domain": [np.float64(-3.5), np.float32(4.25)], "n": np.int64(7), "ok": np.bool_(True),
             "zero_d": np.array(2.5)}
    value, paths, buffers = split_buffers(state, [])
    assert paths == [] and buffers == []
    assert json.loads(to_json(value)) == {"domain": [-3.5, 4.25], "n": 7, "ok": True, "zero_d": 2.5}


def test_numpy_arrays_are_buffers():
    points = np.arange(6, dtype=np.float32).reshape(3, 2)
    value, paths, buffers = split_buffers({"points": {"view": points, "shape": [3, 2]}}, [])
    assert paths == [["points", "view"]]
    assert bytes(buffers[0]) == points.tobytes()
    assert value == {"points": {"view": None, "shape": [3, 2]}}
    assert as_buffer(np.float64(1.0)) is None
