# ruff: noqa: E501  (a table of literal source snippets)
"""Remove one protection at a time; the tests named for it must then fail.

Run: ``.venv/bin/python tests/security/mutate.py [name-fragment ...]`` from the repo root (not
collected by pytest). Each file is restored afterwards; do not edit sources while it runs.
"""
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parents[2]
S = "src/fh_anywidget/"
M = [
 ("capability check in Connection._record", S+"connection.py",
  "record = self.registry.get(model_id) if model_id in self.open_models else None",
  "record = self.registry.get(model_id)",
  "tests/security/test_capability.py::test_foreign_model_is_refused_logged_and_unchanged"),
 ("reference check _check_refs", S+"connection.py",
  "        foreign = Slot.of(state).refs - self.open_models\n", "        foreign = set()\n",
  "tests/security/test_capability.py::test_update_referencing_a_foreign_model_is_refused"),
 ("page identity before accept", S+"server.py",
  "if page is not None and page.identity != self.identity(websocket.scope, False):", "if False:",
  "tests/security/test_capability.py::test_token_from_another_session_is_refused_before_accept"),
 ("page identity on attach", S+"connection.py",
  "if page is not None and page.identity != self.identity:", "if False:",
  "tests/security/test_capability.py::test_token_from_another_session_is_refused_before_accept"),
 ("origin check", S+"server.py", "        if not self._origin_allowed(websocket):", "        if False:",
  "tests/security/test_auth_origin.py::test_origin_checked_before_accept"),
 ("auth hook", S+"server.py", "        if self.auth is not None:", "        if False:",
  "tests/security/test_auth_origin.py::test_socket_needs_the_apps_login"),
 ("protected (code) keys", S+"models.py", "            if key in PROTECTED_KEYS:", "            if False:",
  "tests/security/test_bad_input.py::test_forbidden_writes_are_refused_whole"),
 ("read-only traits", S+"models.py", 'if trait is not None and getattr(trait, "read_only", False):', "if False:",
  "tests/security/test_bad_input.py::test_forbidden_writes_are_refused_whole"),
 ("RecursionError in header parsing", S+"wire.py", "except (ValueError, RecursionError) as exc:", "except ValueError as exc:",
  "tests/security/test_bad_input.py::test_malformed_headers_get_error_replies tests/security/test_fuzz.py"),
 ("inbound backpressure", S+"connection.py", "while self._inflight >= self.limits.max_inflight:", "while False:",
  "tests/security/test_bad_input.py::test_flooding_a_slow_model_is_bounded"),
 ("page retirement closes owned models", S+"pages.py", "                self.registry.close(model_id)", "                pass",
  "tests/security/test_lifetimes.py"),
 ("atomic send_state", S+"bridge.py", "        with record.lock:\n            original(self, key)", "        original(self, key)",
  "tests/security/test_isolation.py::test_eight_threads_on_a_shared_widget_leave_every_view_equal"),
 ("server dedupe by seq", S+"clients.py", "            if seq <= self.received:", "            if False:",
  "tests/security/test_reconnect.py::test_fifty_drops_lose_and_duplicate_nothing"),
 ("browser resends unacked after reconnect", S+"static/connection.js",
  "      for (const [header, bytes] of this.unacked.values()) this.write(header, bytes);\n", "",
  "tests/security/test_reconnect.py::test_fifty_drops_lose_and_duplicate_nothing"),
 ("acks carry the server's values of the written keys", S+"connection.py",
  "slots = {k: record.slots[k] for k in keys if k in record.slots}", "slots = {}",
  "tests/security/test_reconnect.py::test_offline_badge_while_refused_then_edits_arrive"),
 ("in-flight keys survive the reopen", S+"static/model.js", "      if (this.pending.has(k)) continue;\n", "",
  "tests/security/test_reconnect.py::test_fifty_drops_lose_and_duplicate_nothing"),
]
only = sys.argv[1:]
for name, path, old, new, tests in M:
    if only and not any(o in name for o in only):
        continue
    p = root / path
    text = p.read_text()
    assert text.count(old) == 1, (name, text.count(old))
    p.write_text(text.replace(old, new))
    try:
        r = subprocess.run([".venv/bin/python", "-m", "pytest", "-x", "-q", "-p", "no:randomly",
                            "-W", "ignore::DeprecationWarning", *tests.split()],
                           cwd=root, capture_output=True, text=True, timeout=600)
        last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr[-200:]
        verdict = "FAILS as it must" if r.returncode != 0 else "STILL PASSES (test too weak!)"
        print(f"{name}: {verdict} -- {last}", flush=True)
    finally:
        p.write_text(text)
