"""10,000 malformed and hostile frames from a seeded generator against a live server.

Afterwards: the server is alive, the victims' widgets are exactly as they were, the attacker's
own widget is consistent (the host's snapshot equals Python's state), and a normal client works.
"""

from __future__ import annotations

import json
import random
import string

from fh_anywidget.wire import Slot
from tests.conftest import wait_until

FRAMES = 10_000
SEED = 20261121
KEYS = ["value", "a", "b", "items", "child", "locked", "_esm", "_css", "_model_name",
        "_anywidget_id", "nope", "", "__proto__", "constructor", "x" * 300]
TYPES = ["update", "custom", "views", "log", "attach", "open", "close", "ack", "error", "", None, 7]


class Hostile:
    """Seeded generator of bad messages. ``next()`` returns (frames, fatal): fatal ones are
    framing violations after which the server must close the socket."""

    def __init__(self, seed: int, own: str, foreign: list[str]) -> None:
        self.rng = random.Random(seed)
        self.own = own
        self.foreign = foreign

    def value(self, depth: int = 0):
        r = self.rng
        pick = r.randrange(12 if depth < 4 else 8)
        if pick == 0:
            return r.randint(-(2**70), 2**70)
        if pick == 1:
            return r.randint(-3, 20)
        if pick == 2:
            return r.random() * 10 ** r.randint(-5, 300)
        if pick == 3:
            alphabet = string.printable + "\u202e\u0000\ud7ff"
            return "".join(r.choice(alphabet) for _ in range(r.randrange(20)))
        if pick == 4:
            return None
        if pick == 5:
            return r.random() < 0.5
        if pick == 6:
            return f"IPY_MODEL_{r.choice([self.own, *self.foreign, '0' * 32])}"
        if pick == 7:
            return f"anywidget:{r.choice([*self.foreign, 'x'])}"
        if pick in (8, 9):
            return [self.value(depth + 1) for _ in range(r.randrange(4))]
        return {r.choice(KEYS): self.value(depth + 1) for _ in range(r.randrange(4))}

    def model(self) -> object:
        r = self.rng.random()
        if r < 0.6:
            return self.own
        if r < 0.9:
            return self.rng.choice(self.foreign)
        return self.value()

    def header(self) -> dict:
        r = self.rng
        h: dict = {"type": r.choice(TYPES)}
        for key in r.sample(["model", "state", "content", "buffer_paths", "seq", "count",
                             "token", "message", "buffers"], r.randrange(6)):
            h[key] = self.value()
        if r.random() < 0.7:
            h["model"] = self.model()
        if r.random() < 0.5:
            h["state"] = {r.choice(KEYS): self.value() for _ in range(r.randrange(1, 4))}
        return h

    def next(self) -> tuple[list[str | bytes], bool]:
        r = self.rng
        pick = r.random()
        if pick < 0.02:  # framing violations
            kind = r.randrange(3)
            if kind == 0:
                return [r.randbytes(r.randrange(1, 64))], True
            head = json.dumps({"type": "custom", "model": self.own, "content": 1,
                               "buffers": [4]})
            return ([head, "{}"] if kind == 1 else [head, r.randbytes(5)]), True
        if pick < 0.12:  # text that is not a JSON object
            text = r.choice([
                "".join(r.choice(string.printable) for _ in range(r.randrange(1, 80))),
                json.dumps(self.header())[: r.randrange(1, 40)],
                "[" * r.randrange(1, 5000),
                json.dumps(self.value()),
                "\ufffd\u0000\ud7ff",
            ])
            return [text], False
        if pick < 0.55:  # well-framed messages with hostile fields
            header = self.header()
            lengths = header.get("buffers")
            buffers: list[str | bytes] = []
            if isinstance(lengths, list) and all(
                    isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 4096
                    for n in lengths) and len(lengths) < 8:
                buffers = [r.randbytes(n) for n in lengths]
            else:
                header.pop("buffers", None)
            return [json.dumps(header), *buffers], False
        # well-formed writes to a model, often forbidden or wrongly typed; buffers at random paths
        state = {r.choice(KEYS): self.value() for _ in range(r.randrange(1, 4))}
        n = r.randrange(3)
        header = {"type": r.choice(["update", "update", "custom"]), "model": self.model(),
                  "state": state, "content": self.value(),
                  "buffer_paths": [[r.choice(KEYS), *([0] * r.randrange(2))] for _ in range(n)],
                  "buffers": [r.randrange(0, 64) for _ in range(n)]}
        if r.random() < 0.3:
            header["seq"] = r.choice([r.randrange(1, 50), 0, -1, 2**60, "1", 1.5])
        return [json.dumps(header), *(r.randbytes(k) for k in header["buffers"])], False


def snapshot_matches_python(registry, widget) -> bool:
    record = registry.get(widget.model_id)
    return all(Slot.of(widget.get_state(key)[key]).json == slot.json
               for key, slot in record.slots.items())


def test_ten_thousand_hostile_frames(site):
    alice, bob = site.visitor(), site.visitor()
    victim_token, victim_models = bob.page("/")  # a per-request widget and the shared one
    token, (own,) = alice.page("/mine")
    victims = [site.made[0], site.shared]
    before = [w.get_state() for w in victims]
    hostile = Hostile(SEED, own, victim_models)
    sent = fatal_count = 0
    with bob.peer(victim_token) as watcher:
        watcher.attached()
        p = alice.peer(token)
        p.attached()
        while sent < FRAMES:
            frames, fatal = hostile.next()
            for frame in frames:
                p.raw(frame)
            sent += 1
            if fatal:
                fatal_count += 1
                code, _ = p.closed_with()
                assert code in (1002, 1003), code
                p = alice.peer(token)
                p.attached()
            elif sent % 100 == 0:
                assert p.alive()  # and the replies so far are read
        assert p.alive()
        record = site.host.registry.get(own)
        wait_until(lambda: len(record.inbox) == 0 and not record.inbox.scheduled,
                   what="the attacker's writes to be applied")
        p.close()
        assert watcher.alive()
        updates = [m for m in watcher.received if m["type"] not in ("hello", "open", "attached", "error")]
        assert updates == [], "a victim's socket heard of the attack"
    assert [w.get_state() for w in victims] == before
    assert snapshot_matches_python(site.host.registry, site.made[1])
    assert snapshot_matches_python(site.host.registry, site.shared)
    assert fatal_count > 50 and sent == FRAMES
    # a normal client still works
    carol = site.visitor()
    token, (mine, shared) = carol.page("/")
    with carol.peer(token) as c:
        assert {mine, shared} <= set(c.attached()["models"])
        c.update(mine, {"value": 42}, seq=1)
        ack = c.until(lambda m: m["type"] == "ack")
        assert ack["seq"] == 1 and ack["state"] == {}  # accepted as sent: nothing echoed back
        assert site.made[-1].value == 42
