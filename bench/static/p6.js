// P6 (classic inline script, runs before any module): when the widget renders, post the time
// since navigation started, then navigate to the next page of the interleaved sequence.
globalThis.benchRendered = () => {
  const ms = performance.now();
  globalThis.benchRendered = null;
  const q = new URLSearchParams(location.search);
  const i = Number(q.get("i"));
  const n = Number(q.get("n"));
  const kind = location.pathname.endsWith("/host") ? "host" : "static";
  // Where the time went: HTML received, every module fetched, DOM parsed, widget code fetched.
  const nav = performance.getEntriesByType("navigation")[0];
  const res = performance.getEntriesByType("resource");
  const end = (test) => Math.max(0, ...res.filter((e) => test(e.name)).map((e) => e.responseEnd));
  const phases = {
    html: nav.responseEnd,
    modules: end((n) => n.includes("/runtime/")),
    dom: nav.domContentLoadedEventEnd || ms,
    code: end((n) => n.includes("/assets/") || n.endsWith("/small.js")),
  };
  const post = (data) => fetch(q.get("collector"), {
    method: "POST", mode: "no-cors", body: JSON.stringify({ scenario: "P6", ...data }),
  });
  // Let the page finish settling before leaving it, so no request is cut off mid-way.
  post({ kind, i, ms, phases }).finally(() => setTimeout(() => {
    if (i + 1 >= n) return post({ done: true });
    q.set("i", String(i + 1));
    const next = kind === "host" ? "static" : "host";
    location.href = `/bench/p6/${next}?${q}`;
  }, 50));
};
