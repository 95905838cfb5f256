"use strict";
// The picture of one output entry of a convolution or a pooling (autograd/pictures/windows.py
// describes it): the input's numbers around the window, the kernel beside them, the entry's
// sum, and on the way back what each cell receives. Shown while a step of that node is (the
// main script announces each step with a "tg-show" event); built with textContent only.
(() => {
  const data = JSON.parse(document.getElementById("tg-data").textContent);
  const pictures = data.windows || {};
  const aside = document.querySelector("aside");
  if (!aside || !Object.keys(pictures).length) return;
  const section = document.createElement("section");
  section.id = "tg-window";
  section.hidden = true;
  aside.insertBefore(section, aside.firstChild);

  function add(parent, tag, text, name) {
    const el = document.createElement(tag);
    if (text !== undefined && text !== null) el.textContent = text;
    if (name) el.className = name;
    parent.appendChild(el);
    return el;
  }

  // A grid of numbers with its row and column numbers; cell(r, c) gives [text, class names].
  function grid(parent, caption, rows, columns, cell) {
    const table = add(parent, "table", null, "tg-grid");
    add(table, "caption", caption);
    const head = add(table, "tr");
    add(head, "th");
    for (const c of columns) add(head, "th", String(c));
    rows.forEach((r, i) => {
      const tr = add(table, "tr");
      add(tr, "th", String(r));
      columns.forEach((c, j) => {
        const [text, name] = cell(r, c, i, j);
        add(tr, "td", text, name);
      });
    });
    return table;
  }

  function draw(picture, back) {
    section.replaceChildren();
    const index = picture.index.join(",");
    add(section, "h2", `One output entry: ${picture.text[0].split(" = ")[0]}`);
    add(
      section,
      "p",
      back
        ? "Its gradient goes back through the window: each outlined cell receives the upstream times the number shown."
        : `The window that made entry [${index}]: the outlined cells of the input, ` +
            (picture.kernel ? "each times the kernel's number at the same place." : picture.kind === "max" ? "the largest wins." : "averaged."),
      "tg-note",
    );
    if (picture.rows) {
      const factors = new Map(picture.cells.map(([r, c, f]) => [`${r},${c}`, f]));
      const picked = picture.picked ? picture.picked.join(",") : null;
      const caption =
        `${picture.input}[${picture.index[0]},${picture.channel}]` +
        (picture.channels > 1 ? ` (the first of ${picture.channels} channels summed)` : "");
      const figure = add(section, "div", null, "tg-window-grids");
      grid(figure, caption, picture.rows, picture.columns, (r, c, i, j) => {
        const key = `${r},${c}`;
        const inside = factors.has(key);
        const value = picture.values[i][j];
        const names = [inside ? "tg-win" : "", value === null ? "tg-pad" : "", key === picked ? "tg-picked" : ""];
        if (back && inside) {
          const f = factors.get(key);
          return [f === null ? "" : `g·${f.startsWith("-") ? `(${f})` : f}`, names.join(" ")];
        }
        return [value === null ? "0" : value, names.join(" ")];
      });
      if (picture.kernel) {
        const k = picture.kernel;
        const kr = k.values.map((_, i) => i);
        const kc = k.values[0].map((_, j) => j);
        grid(figure, `${k.name}[${k.output},0]`, kr, kc, (i, j) => {
          if (!back) return [k.values[i][j], "tg-win"];
          const got = k.received[i][j];
          return [got === null ? "" : `g·${got.startsWith("-") ? `(${got})` : got}`, "tg-win"];
        });
      }
    }
    const cut = picture.text.findIndex((line) => line.startsWith("Its gradient"));
    const lines = back ? picture.text.slice(cut) : picture.text.slice(0, cut);
    const text = add(section, "div", null, "tg-window-text");
    for (const line of lines) add(text, "p", line);
    section.hidden = false;
  }

  document.addEventListener("tg-show", (event) => {
    const e = event.detail;
    const picture =
      e.kind === "forward" ? pictures[e.node] : e.kind === "backward" ? pictures[e.output] : null;
    if (picture) draw(picture, e.kind === "backward");
    else section.hidden = true;
  });
})();
