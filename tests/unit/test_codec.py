import math

import numpy as np

from fh_anywidget.codec import as_buffer, iter_refs, put_buffers, same_value, split_buffers, to_json


def test_split_leaves_the_callers_value_untouched():
    value = {"a": [1, b"xy"], "b": {"c": bytearray(b"z")}, "plain": [1, 2]}
    clean, paths, buffers = split_buffers(value, ["t"])
    assert value["a"][1] == b"xy" and value["b"]["c"] == bytearray(b"z")
    assert clean == {"a": [1, None], "b": {"c": None}, "plain": [1, 2]}
    assert clean["plain"] is value["plain"]  # untouched branches are shared, not copied
    assert paths == [["t", "a", 1], ["t", "b", "c"]]
    assert [bytes(b) for b in buffers] == [b"xy", b"z"]


def test_numpy_arrays_travel_as_their_bytes_without_copy():
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    view = as_buffer(array)
    assert view is not None and view.nbytes == 24 and view.obj is array
    assert bytes(view) == array.tobytes()


def test_deep_paths_put_back():
    state = {"a": {"b": [{"c": {"d": [None, {"e": {"f": None}}]}}]}}
    put_buffers(state, [["a", "b", 0, "c", "d", 1, "e", "f"]], [b"1"])
    assert state["a"]["b"][0]["c"]["d"][1]["e"]["f"] == b"1"


def test_json_that_javascript_can_parse():
    assert to_json({"x": math.nan, "y": [math.inf], "z": np.int64(3), "s": {1}}) == \
        '{"x":null,"y":[null],"z":3,"s":[1]}'


def test_refs_are_found_anywhere():
    state = {"child": "anywidget:abc", "kids": ["IPY_MODEL_def", {"k": "anywidget:ghi"}], "no": "anywidget:"}
    assert set(iter_refs(state)) == {"abc", "def", "ghi"}


def test_same_value_compares_as_json_does():
    assert same_value((1, 2), [1, 2])
    assert same_value(memoryview(b"ab"), b"ab")
    assert not same_value(True, 1)
    assert not same_value({"a": b"x"}, {"a": b"y"})
