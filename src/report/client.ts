/**
 * The small scripts a report runs in the browser, kept as plain ES2020 text because they
 * are inlined verbatim into the HTML file.
 */

/**
 * Renders every `[data-chart-id]` element with vega-embed and records the outcome on the
 * element (`data-rendered="true"` or `data-error`), so a reader sees which chart failed
 * and a test can wait for all of them.
 */
export const EMBED_SCRIPT = `
(() => {
  const specs = JSON.parse(document.getElementById("xling-chart-specs").textContent);
  const options = JSON.parse(document.getElementById("xling-embed-options").textContent);
  for (const el of document.querySelectorAll("[data-chart-id]")) {
    const id = el.getAttribute("data-chart-id");
    const fail = (err) => {
      const message = String((err && err.message) || err);
      el.setAttribute("data-error", message);
      el.textContent = "This chart could not be drawn: " + message;
      el.classList.add("chart-error");
    };
    try {
      if (typeof vegaEmbed !== "function") throw new Error("the charting library did not load");
      if (!Object.prototype.hasOwnProperty.call(specs, id)) throw new Error("no spec for chart " + id);
      vegaEmbed(el, specs[id], options).then(() => el.setAttribute("data-rendered", "true"), fail);
    } catch (err) {
      fail(err);
    }
  }
})();
`;

/**
 * Click a column header to sort a table by it; a second click reverses the order. Cells
 * carry their raw number in data-sort so "1,200" sorts after "950", and empty cells
 * stay at the bottom in both directions.
 */
export const SORT_SCRIPT = `
(() => {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const keyOf = (cell) => {
    if (cell.hasAttribute("data-empty")) return null;
    const raw = cell.getAttribute("data-sort");
    return raw !== null ? Number(raw) : cell.textContent.trim();
  };
  const compare = (a, b) => {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return collator.compare(String(a), String(b));
  };
  for (const table of document.querySelectorAll("table.sortable")) {
    const headers = Array.from(table.tHead.rows[0].cells);
    headers.forEach((th, col) => {
      th.querySelector("button").addEventListener("click", () => {
        const descending = th.getAttribute("aria-sort") === "ascending";
        for (const h of headers) h.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows).map((row, index) => ({ row, index, key: keyOf(row.cells[col]) }));
        rows.sort((a, b) => {
          if (a.key === null || b.key === null) {
            return a.key === b.key ? a.index - b.index : a.key === null ? 1 : -1;
          }
          const c = compare(a.key, b.key);
          return (descending ? -c : c) || a.index - b.index;
        });
        for (const r of rows) body.appendChild(r.row);
      });
    });
  }
})();
`;
