"use strict";
// The lesson page (autograd/lesson.py writes it): reads the JSON block, shows one event at a
// time. Everything taken from the data is shown with textContent, so no label becomes markup.
(() => {
  const data = JSON.parse(document.getElementById("tg-data").textContent);
  const { nodes, events, leaves, groups, formulas, root } = data;
  const last = events.length - 1;
  events.forEach((e, k) => {
    e.at = k; // where the event stands in the lesson
  });
  // Features beside the stepper (groups of steps, the chain-rule panel, ...) hear of each
  // position shown here, and may change where Next and Previous go.
  const listeners = [];
  const moves = { next: (p) => p + 1, previous: (p) => p - 1 };
  const seedAt = events.findIndex((e) => e.kind === "seed");
  const forwardCount = seedAt - 1;
  const backwardCount = last - seedAt;
  const byId = (id) => document.getElementById(id);
  const graph = byId("tg-graph");
  const slider = byId("step");
  const playButton = byId("tg-play");
  const dRoot = nodes[root].d;
  // The quiz (lesson(root, quiz=True)), made below: while a step's question is open, its
  // number is not shown and the lesson does not go past it.
  let quiz = null;

  // JSON has no NaN or infinity: the page writes them as text.
  const SPECIAL = { nan: NaN, inf: Infinity, "-inf": -Infinity };
  const num = (v) => (typeof v === "string" ? SPECIAL[v] : v);

  // Numbers as the engine writes them (graph.fmt): integers without ".0", others as %.6g.
  function fmt(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
    const [mantissa, power] = x.toExponential(5).split("e");
    const exponent = Number(power);
    const trim = (text) => (text.includes(".") ? text.replace(/\.?0+$/, "") : text);
    if (exponent < -4 || exponent >= 6) {
      const digits = String(Math.abs(exponent)).padStart(2, "0");
      return `${trim(mantissa)}e${exponent < 0 ? "-" : "+"}${digits}`;
    }
    return trim(x.toFixed(5 - exponent));
  }

  const found = new Map();
  function element(id) {
    if (!id) return null;
    if (!found.has(id)) found.set(id, byId(id));
    return found.get(id);
  }

  // The text elements of the picture that show each node's data and grad (the last four
  // texts of its box read "data", the data, "grad", the grad).
  const slots = nodes.map((node) => {
    const box = element(node.display);
    if (!box) return null;
    const texts = box.querySelectorAll("text");
    const n = texts.length;
    if (n < 4 || texts[n - 4].textContent !== "data" || texts[n - 2].textContent !== "grad") {
      return null;
    }
    return { data: texts[n - 3], grad: texts[n - 1], value: texts[n - 3].textContent };
  });

  // What the picture highlights for an event: the node, its op and the edges in between.
  const ways = nodes.map((node) => [...new Set(node.inputs.flat())]);
  function focus(e) {
    if (e.kind === "forward") return [nodes[e.node].element, ...ways[e.node]];
    if (e.kind === "seed") return [nodes[e.node].element];
    if (e.kind === "backward") {
      const output = nodes[e.output];
      return [...output.inputs[e.position], output.element, nodes[e.node].element];
    }
    return [];
  }
  const target = (e) => (e.kind === "seed" || e.kind === "backward" ? nodes[e.node].element : null);

  // Where gradient goes from each node: the backward steps that take it as their input.
  const consumers = nodes.map(() => []);
  const finalGrad = nodes.map(() => null);
  for (const e of events) {
    if (e.kind === "backward") consumers[e.node].push(e);
    if (e.kind === "backward" || e.kind === "seed") finalGrad[e.node] = e.grad;
  }
  // How many paths lead from the result to each node (capped: only "few or many" matters).
  const pathCount = nodes.map(() => 0);
  pathCount[root] = 1;
  for (let i = root - 1; i >= 0; i -= 1) {
    let count = 0;
    for (const e of consumers[i]) count += pathCount[e.output];
    pathCount[i] = Math.min(count, data.maxPaths + 1);
  }

  // --- one state of the lesson ---------------------------------------------------------------

  let position = 0;
  let marked = [];

  function mark(target, name) {
    const el = typeof target === "string" ? element(target) : target;
    if (el) {
      el.classList.add(name);
      marked.push([el, name]);
    }
  }

  function write(text, shown, unknown) {
    text.textContent = shown;
    if (unknown) mark(text, "tg-unknown");
  }

  function stateAt(p) {
    const computed = nodes.map((node) => !node.computed);
    const grads = nodes.map(() => null);
    for (let k = 1; k <= p; k += 1) {
      const e = events[k];
      if (e.kind === "forward") computed[e.node] = true;
      else if (!(quiz && quiz.asking(k))) grads[e.node] = e;
    }
    return { computed, grads };
  }

  function phase(e) {
    if (e.kind === "start") return "Start: nothing computed yet";
    if (e.kind === "forward") return `Forward pass · value ${e.index} of ${forwardCount}`;
    if (e.kind === "seed") return `Backward pass · the start (${backwardCount} steps to go)`;
    return `Backward pass · step ${e.index} of ${backwardCount}`;
  }

  const rows = byId("grads").tBodies[0].rows;

  function show(p) {
    position = Math.max(0, Math.min(last, p));
    const e = events[position];
    const { computed, grads } = stateAt(position);
    const backward = position >= seedAt;
    for (const [el, name] of marked) el.classList.remove(name);
    marked = [];

    nodes.forEach((node, i) => {
      if (!computed[i]) {
        mark(node.element, "tg-pending");
        for (const way of ways[i]) mark(way, "tg-pending");
      }
      const slot = slots[i];
      if (!slot) return;
      write(slot.data, computed[i] ? slot.value : "?", !computed[i]);
      const g = grads[i];
      write(slot.grad, g ? g.grad : backward && node.noGrad ? "none" : "?", !g);
      if (g && g === e) mark(slot.grad, "tg-fresh");
    });
    const focused = focus(e);
    for (const id of focused) mark(id, "tg-current");
    mark(target(e), "tg-target");

    leaves.forEach((leaf, k) => {
      const cell = rows[k].cells[2];
      const g = grads[leaf.node];
      cell.textContent = g ? (g.cell ?? g.grad) : backward && leaf.noGrad ? "none" : "?";
      cell.title = g ? g.exact : "";
      if (g && g === e) mark(rows[k], "tg-row-current");
    });

    const asked = quiz && quiz.asking(position);
    byId("narration").textContent = asked ? quiz.prompt(position) : e.text;
    const prefix = e.kind === "backward" ? "local derivative: " : "";
    const formula = e.formula === null || asked ? "" : prefix + formulas[e.formula];
    byId("tg-formula").textContent = formula;
    byId("tg-phase").textContent = phase(e);
    byId("tg-position").textContent = `${position} / ${last}`;
    slider.value = String(position);
    reveal(element(target(e) || focused[0]));
    for (const listener of listeners) listener(position);
    if (quiz) quiz.update(position);
    // windows.js draws a convolution's or a pooling's window for the steps of its node.
    document.dispatchEvent(new CustomEvent("tg-show", { detail: e }));
  }

  // Scroll the picture (never the page) so that the current node can be seen.
  function reveal(el) {
    if (!el) return;
    const box = el.getBoundingClientRect();
    const view = graph.getBoundingClientRect();
    if (box.left < view.left || box.right > view.right) {
      graph.scrollLeft += box.left - view.left - (view.width - box.width) / 2;
    }
    if (box.top < view.top || box.bottom > view.bottom) {
      graph.scrollTop += box.top - view.top - (view.height - box.height) / 2;
    }
  }

  // --- controls ------------------------------------------------------------------------------

  let timer = null;

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    playButton.setAttribute("aria-pressed", "false");
  }

  function play() {
    if (position >= last) show(0);
    playButton.setAttribute("aria-pressed", "true");
    timer = setInterval(() => {
      const next = quiz ? quiz.limit(position, position + 1) : position + 1;
      if (position >= last || next === position) stop();
      else show(next);
    }, 900);
  }

  const toggle = () => (timer === null ? play() : stop());
  const go = (p) => {
    stop();
    show(quiz ? quiz.limit(position, p) : p);
  };

  byId("tg-reset").addEventListener("click", () => go(0));
  byId("tg-previous").addEventListener("click", () => go(moves.previous(position)));
  byId("tg-next").addEventListener("click", () => go(moves.next(position)));
  playButton.addEventListener("click", toggle);
  slider.addEventListener("input", () => go(Number(slider.value)));

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target instanceof Element ? event.target : null;
    const onSlider = target === slider; // the slider moves itself with arrows, Home and End
    const onControl = target && target.closest("button, input, select, textarea, [role=button]");
    // Keys typed into a box (an answer, a search) are the box's own.
    if (target && target.matches("input[type=text], input[type=search], select, textarea")) return;
    if (event.key === "ArrowRight" && !onSlider) go(moves.next(position));
    else if (event.key === "ArrowLeft" && !onSlider) go(moves.previous(position));
    else if (event.key === "Home" && !onSlider) go(0);
    else if (event.key === "End" && !onSlider) go(last);
    else if (event.key === " " && !onControl) toggle();
    else return;
    event.preventDefault();
  });

  // --- a node's chain rule: the sum over every path from the result --------------------------

  const owners = new Map(); // picture id -> the nodes whose gradient a click there explains
  nodes.forEach((node, i) => {
    if (groups[node.element]) return; // inside a folded box: the box explains its outputs
    if (!owners.has(node.element)) owners.set(node.element, []);
    owners.get(node.element).push(i);
    if (node.computed) owners.set(`o${i}`, [i]); // an op's circle explains its output
  });
  for (const [id, outputs] of Object.entries(groups)) owners.set(id, outputs);

  function paths(i) {
    // Every path from node i up to the result, as backward steps from the result down to i.
    const found = [];
    const stack = [[i, []]];
    while (stack.length) {
      const [n, chain] = stack.pop();
      if (n === root) {
        found.push(chain.slice().reverse());
        continue;
      }
      const uses = consumers[n];
      for (let k = uses.length - 1; k >= 0; k -= 1) stack.push([uses[k].output, [...chain, uses[k]]]);
    }
    return found;
  }

  // A negative factor in parentheses, as the narration writes it: 4 · (-1).
  const inParentheses = (text) => (text.startsWith("-") ? `(${text})` : text);
  const factor = (e) => `${e.output === root ? dRoot : nodes[e.output].d}/${nodes[e.node].d}`;

  function paragraph(parent, text, name) {
    const p = document.createElement("p");
    p.textContent = text;
    if (name) p.className = name;
    parent.appendChild(p);
    return p;
  }

  function explainNode(parent, i) {
    const node = nodes[i];
    const part = document.createElement("div");
    part.className = "tg-chain";
    parent.appendChild(part);
    paragraph(part, `${dRoot}/${node.d}`, "tg-chain-title");
    if (node.constant) {
      paragraph(part, "A plain number in the expression: its gradient is never needed.");
      return;
    }
    if (position < seedAt) {
      paragraph(part, `Backward has not started: ${dRoot}/${node.d} is not known yet. Step on to the backward pass (End jumps to its end).`);
      return;
    }
    if (i === root) {
      paragraph(part, `${dRoot}/${dRoot} = 1: the result itself, where backward starts.`);
      return;
    }
    const every = consumers[i];
    if (!every.length) {
      paragraph(part, `No gradient reaches ${node.name}: it does not require one.`);
      return;
    }
    // Only what backward has done by the current step: the rest is still to come.
    const uses = every.filter((e) => e.at <= position);
    if (!uses.length) {
      paragraph(part, `Backward has not reached ${node.name} yet: its first gradient comes at step ${every[0].index} of ${backwardCount}.`);
      return;
    }
    const done = uses.length === every.length;
    const numeric = uses.every((e) => e.local !== null);
    const count = pathCount[i];
    if (count <= data.maxPaths) {
      const all = paths(i).filter((path) => path[path.length - 1].at <= position);
      const products = [];
      const so = done ? "" : " so far";
      paragraph(part, `${all.length} path${all.length === 1 ? "" : "s"} from ${nodes[root].name} to ${node.name}${so}:`);
      for (const path of all) {
        const term = paragraph(part, path.map(factor).join(" · "), "tg-path");
        if (numeric) {
          const product = path.reduce((product, e) => product * num(e.local), 1);
          products.push(product);
          const factors = path.map((e) => inParentheses(fmt(num(e.local))));
          term.textContent += ` = ${factors.join(" · ")} = ${fmt(product)}`;
        }
      }
      if (numeric && all.length > 1) {
        const sum = products.reduce((a, b) => a + b, 0);
        const terms = products.map((x) => inParentheses(fmt(x)));
        paragraph(part, `Sum over the paths: ${terms.join(" + ")} = ${fmt(sum)}`, "tg-sum");
      }
      if (!numeric) {
        paragraph(part, "Each factor is a rule on arrays (see the formulas), so the sum is shown by where the gradient comes from:");
      }
    } else {
      paragraph(part, `More than ${data.maxPaths} paths lead here: too many to list. The same sum, grouped by the nodes that use ${node.name} (each one's gradient already sums its own paths):`);
    }
    if (!numeric || count > data.maxPaths) {
      // Many uses (a weight used by every data point) are shown collapsed: the first few,
      // the last, and what the others add up to.
      const hidden = uses.length > MANY_USES ? uses.slice(MANY_USES - 1, -1) : [];
      const listed = hidden.length ? [...uses.slice(0, MANY_USES - 1), uses[uses.length - 1]] : uses;
      for (const e of listed) {
        if (hidden.length && e === listed[listed.length - 1]) {
          const sum = numeric ? ` adding up to ${fmt(hidden.reduce((a, h) => a + num(h.contribution), 0))}` : "";
          paragraph(part, `… ${hidden.length} more uses of ${node.name}${sum}`, "tg-path");
        }
        const d = e.output === root ? dRoot : nodes[e.output].d;
        const [upstream, local, contribution] = numeric
          ? [inParentheses(fmt(num(e.upstream))), inParentheses(fmt(num(e.local))), fmt(num(e.contribution))]
          : [e.upstreamText, e.localText, e.contributionText];
        const text = `${dRoot}/${d} · ${factor(e)} = ${upstream} · ${local} = ${contribution}`;
        paragraph(part, text, "tg-path");
      }
    }
    if (done) paragraph(part, `backward computed ${dRoot}/${node.d} = ${finalGrad[i]}`, "tg-sum");
    else {
      const left = every.length - uses.length;
      paragraph(part, `so far ${dRoot}/${node.d} = ${uses[uses.length - 1].grad}: ${left} more step${left === 1 ? "" : "s"} to come`, "tg-sum");
    }
  }

  const MANY_USES = 6;

  let selected = null;
  let explained = null; // what the panel explains: [picture id, the nodes]

  function select(id, only) {
    if (selected) selected.classList.remove("tg-selected");
    selected = element(id);
    if (selected) selected.classList.add("tg-selected");
    explained = [id, only];
    panelAt();
    byId("tg-expansion").parentElement.scrollTop = 0;
  }

  function panelAt() {
    const [id, only] = explained;
    const panel = byId("tg-expansion");
    while (panel.children.length > 1) panel.removeChild(panel.lastChild);
    const chosen = only || owners.get(id) || [];
    for (const i of chosen.slice(0, 4)) explainNode(panel, i);
    if (chosen.length > 4) paragraph(panel, `… and ${chosen.length - 4} more values leave this box.`);
    if (!chosen.length) paragraph(panel, "Nothing to explain here.");
  }

  // The panel follows the lesson: it shows what backward has reached at each step.
  listeners.push(() => {
    if (explained) panelAt();
  });

  for (const id of owners.keys()) {
    const el = element(id);
    if (!el) continue;
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "button");
    const names = owners.get(id).map((i) => nodes[i].name);
    el.setAttribute("aria-label", `chain rule for ${names.slice(0, 4).join(", ")}`);
    el.addEventListener("click", () => select(id));
    el.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        select(id);
      }
    });
  }

  // --- steps by group: a node's turn, a neuron, a layer ------------------------------------------

  // Consecutive events of one group make one run: a node passing gradient to each of its
  // inputs, or a whole neuron's forward or backward. Next and Previous go run by run, to the
  // end of each (its steps all applied); a run opens to show its steps.
  const bySelect = byId("tg-by");
  const groupList = byId("tg-groups");
  const modes = ["step", "node", ...(data.kinds || [])];
  const modeNames = { step: "one step", node: "node" };
  for (const mode of modes) bySelect.add(new Option(modeNames[mode] || mode, mode));

  function groupOf(e, mode) {
    if (e.kind === "start" || e.kind === "seed") return [e.kind, e.kind];
    const i = e.kind === "forward" ? e.node : e.output;
    const name = mode === "node" ? null : (nodes[i].groups || {})[mode];
    const label = mode === "node" ? nodes[i].name : name || `outside any ${mode}`;
    return [`${e.kind} ${mode === "node" ? i : name || "-"}`, label];
  }

  function runsBy(mode) {
    const found = [];
    for (const e of events) {
      const [key, label] = mode === "step" ? [String(e.at), e.text] : groupOf(e, mode);
      const run = found[found.length - 1];
      if (run && run.key === key) run.end = e.at;
      else found.push({ key, label, kind: e.kind, start: e.at, end: e.at });
    }
    return found;
  }

  let runs = [];
  let runAt = []; // for each event, the index of its run
  function runIndex(p) {
    return runAt[Math.max(0, Math.min(last, p))];
  }

  function useMode(mode) {
    runs = runsBy(mode);
    runAt = new Array(events.length);
    runs.forEach((run, r) => {
      for (let k = run.start; k <= run.end; k += 1) runAt[k] = r;
    });
    moves.next = (p) => {
      const run = runs[runIndex(p)];
      return p < run.end ? run.end : runs[Math.min(runs.length - 1, runIndex(p) + 1)].end;
    };
    moves.previous = (p) => (runIndex(p) > 0 ? runs[runIndex(p) - 1].end : 0);
    shownRuns = null;
    listRuns(position);
  }

  const phaseWord = { start: "start", forward: "forward", seed: "backward starts", backward: "backward" };
  let shownRuns = null;
  const opened = new Set();

  function stepButton(k) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = events[k].text;
    button.dataset.at = String(k);
    button.addEventListener("click", () => go(k));
    return button;
  }

  // Only the runs near the current one are listed: a big graph has thousands.
  function listRuns(p) {
    const current = runIndex(p);
    const from = Math.max(0, current - 5);
    const to = Math.min(runs.length, from + 30);
    if (!shownRuns || from !== shownRuns[0] || to !== shownRuns[1]) {
      shownRuns = [from, to];
      groupList.replaceChildren();
      for (let r = from; r < to; r += 1) {
        const run = runs[r];
        const count = run.end - run.start + 1;
        const item = document.createElement("li");
        item.dataset.run = String(r);
        const details = document.createElement("details");
        const summary = document.createElement("summary");
        const steps = count === 1 ? `${run.start}` : `${run.start}–${run.end}`;
        summary.textContent = `${run.label} · ${phaseWord[run.kind]} ${steps}`;
        details.appendChild(summary);
        details.addEventListener("toggle", () => {
          if (details.open) {
            opened.add(run.start);
            const list = document.createElement("ol");
            for (let k = run.start; k <= Math.min(run.end, run.start + 199); k += 1) {
              const entry = document.createElement("li");
              entry.appendChild(stepButton(k));
              list.appendChild(entry);
            }
            if (count > 200) list.appendChild(document.createTextNode(`… ${count - 200} more`));
            details.appendChild(list);
          } else {
            opened.delete(run.start);
            while (details.children.length > 1) details.removeChild(details.lastChild);
          }
        });
        if (opened.has(run.start)) details.open = true;
        item.appendChild(details);
        groupList.appendChild(item);
      }
    }
    for (const item of groupList.children) {
      item.classList.toggle("tg-group-current", Number(item.dataset.run) === current);
    }
    for (const button of groupList.querySelectorAll("ol button")) {
      button.classList.toggle("tg-step-current", Number(button.dataset.at) === p);
    }
  }

  listeners.push(listRuns);
  bySelect.addEventListener("change", () => useMode(bySelect.value));
  // A long lesson starts by the biggest group there is; a short one step by step.
  const firstMode = events.length > 400 ? modes[modes.length - 1] : "step";
  bySelect.value = firstMode;

  // --- finding a node by name ------------------------------------------------------------------

  const search = byId("tg-search");
  const foundList = byId("tg-found");
  const lowerNames = nodes.map((node) => node.name.toLowerCase());

  // A node's steps: from the first that brings it gradient, else its forward value.
  function stepsOf(i) {
    const into = events.findIndex((e) => e.kind === "backward" && e.node === i);
    if (into >= 0) return into;
    return events.findIndex((e) => (e.kind === "forward" || e.kind === "seed") && e.node === i);
  }

  function jumpTo(i) {
    const at = stepsOf(i);
    if (at >= 0) go(at);
    select(nodes[i].element, [i]);
    reveal(element(nodes[i].element));
  }

  function find() {
    foundList.replaceChildren();
    const wanted = search.value.trim().toLowerCase();
    if (!wanted) return [];
    const matches = [];
    for (let i = 0; i < nodes.length && matches.length < 8; i += 1) {
      if (!nodes[i].constant && lowerNames[i].includes(wanted)) matches.push(i);
    }
    for (const i of matches) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = nodes[i].name;
      button.addEventListener("click", () => jumpTo(i));
      item.appendChild(button);
      foundList.appendChild(item);
    }
    if (!matches.length) {
      const item = document.createElement("li");
      item.textContent = `no node named like “${search.value.trim()}”`;
      foundList.appendChild(item);
    }
    return matches;
  }

  search.addEventListener("input", find);
  search.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const matches = find();
    if (matches.length) jumpTo(matches[0]);
  });

  // --- the page around the picture -----------------------------------------------------------

  // A picture a little wider than its frame is shrunk to fit; a big one keeps its size and
  // scrolls, so that its text stays readable.
  const picture = graph.querySelector("svg");
  if (picture && picture.width.baseVal.value <= 1.6 * graph.clientWidth) {
    picture.classList.add("tg-fit");
  }

  byId("tg-title").textContent = data.title;
  byId("tg-summary").textContent =
    `${forwardCount} value${forwardCount === 1 ? "" : "s"} computed forward, then ` +
    `${backwardCount} chain-rule step${backwardCount === 1 ? "" : "s"} backward. ` +
    "Keys: ← and → step, space plays or pauses, Home and End jump to either end. " +
    "Click a node for its chain-rule sum.";
  // What the picture folded and how to see it whole; a note on repeated backward passes.
  byId("tg-notes").textContent = (data.notes || []).join(" ");
  if (data.held && data.held.length) {
    const held = byId("tg-held");
    paragraph(held, "Before this page was made, the leaves' .grad already held (backward() adds into .grad; zero_grad() clears it):");
    for (const line of data.held) paragraph(held, line);
    held.hidden = false;
  }
  if (data.quiz) {
    quiz = makeQuiz(data.quiz);
    byId("tg-summary").textContent +=
      " Quiz: at each backward step, type the number it ends with in the answer box and press Enter.";
  }
  leaves.forEach((leaf, k) => {
    const [name, value, , estimate] = rows[k].cells;
    rows[k].dataset.node = String(leaf.node);
    name.textContent = leaf.name;
    value.textContent = leaf.data;
    value.title = leaf.dataTitle;
    estimate.textContent = leaf.fd;
    estimate.title = leaf.fdTitle;
    if (leaf.agree === false) estimate.classList.add("tg-differ");
  });
  useMode(firstMode);
  show(0);

  // --- the quiz: each backward step with a number is asked before it is shown ---------------

  // Right when it rounds to the same 3 significant digits (autograd.tools.check.tolerance).
  function isRight(yours, right) {
    if (yours === right) return true;
    if (Number.isNaN(right)) return Number.isNaN(yours);
    const size = Math.abs(right);
    const half = size > 0 && Number.isFinite(size) ? 0.5 * 10 ** (Math.floor(Math.log10(size)) - 2) * (1 + 1e-9) : 0;
    return Math.abs(yours - right) <= half + Math.max(1e-12, 16 * Number.EPSILON * size);
  }

  function localWhy(implied, local) {
    if (isRight(implied, -local)) return ": your sign is flipped";
    if (isRight(implied, 1)) return ": you passed the upstream on unchanged";
    return `, and your number means ${fmt(implied)}`;
  }

  // Which factor of upstream · local a wrong answer got wrong, and why (tools/quiz.py's judge).
  function judge(q, yours) {
    const [answer, up, local] = [num(q.answer), num(q.upstream), num(q.local)];
    if (isRight(yours, answer)) return { right: true };
    const [k, n] = q.path;
    if (n > 1) {
      let added = null;
      if (isRight(yours, num(q.total))) added = `the whole ${q.derivative}, all ${n} paths added`;
      else if (k > 1 && isRight(yours, num(q.soFar))) added = `the sum of the first ${k} paths`;
      else if (q.uses > 1 && isRight(yours, q.uses * answer)) {
        added = `all ${q.uses} paths through ${q.outputName} at once (it uses ${q.inputName} ${q.uses} times)`;
      }
      if (added) return { right: false, factor: null, why: `yours is ${added}; this step asks what path ${k} of ${n} adds` };
    }
    if (q.fromRoot) return { right: false, factor: "local", why: `${q.localName} = ${q.rule}${localWhy(yours, local)}` };
    if (up === 0 || (isRight(yours, local) && !isRight(up, 1))) {
      const alone = up !== 0 ? ": your number is the local derivative alone" : "";
      return { right: false, factor: "upstream", why: `the upstream factor ${q.upstreamName} is ${fmt(up)}${alone}` };
    }
    return { right: false, factor: "local", why: `the local factor ${q.localName} = ${q.rule}${localWhy(yours / up, local)}` };
  }

  function makeQuiz(questions) {
    const at = new Map(); // position of a backward event -> its question
    events.forEach((e, k) => {
      const q = e.kind === "backward" ? questions[String(e.index)] : undefined;
      if (q) at.set(k, q);
    });
    const done = new Map(); // position -> { tries, right }
    const form = byId("tg-quiz");
    const input = byId("tg-answer");
    const feedback = byId("tg-feedback");
    const score = byId("tg-score");
    let open = null; // the position whose question has the answer box
    let carried = null; // what the last answer showed, kept as the lesson moves on
    let saidAt = null; // the position the feedback belongs to

    const asking = (k) => at.has(k) && !(done.get(k) || {}).closed;

    // Minus signs as the narration writes them (U+2212), not inside a word or 1e-05.
    const minus = (text) => text.replace(/(?<![\w.])-(?=[\d.]|inf\b)/g, "\u2212");

    function say(parts) {
      feedback.replaceChildren();
      for (const part of parts) {
        const p = document.createElement("p");
        if (part.className) p.className = part.className;
        for (const piece of part.pieces || [part.text]) {
          if (typeof piece === "string") p.appendChild(document.createTextNode(minus(piece)));
          else {
            const span = document.createElement("span");
            span.className = piece.className;
            span.textContent = minus(piece.text);
            p.appendChild(span);
          }
        }
        feedback.appendChild(p);
      }
    }

    function limit(from, to) {
      for (let k = Math.min(from, to); k <= to; k += 1) if (k >= from && asking(k)) return k;
      return to;
    }

    function update(k) {
      const asked = asking(k);
      form.hidden = !asked;
      if (carried) {
        say(carried);
        carried = null;
        saidAt = k;
      } else if (saidAt !== k) {
        feedback.replaceChildren(); // what was said belongs to another step
        saidAt = null;
      }
      if (asked && open !== k) {
        input.value = "";
        input.focus({ preventScroll: true });
      }
      open = asked ? k : null;
      const answered = [...done.values()].filter((d) => d.closed).length;
      if (answered === at.size) {
        const first = [...done.values()].filter((d) => d.closed && d.right && d.tries === 1).length;
        score.textContent = `Score: ${first} of ${at.size} steps right the first time.`;
        score.hidden = false;
      }
    }

    function close(k, right, line) {
      const d = done.get(k) || { tries: 0 };
      d.closed = true;
      d.right = right;
      done.set(k, d);
      const q = at.get(k);
      carried = [{ text: line, className: right ? "tg-right" : "" }];
      if (q.sum) carried.push({ text: q.sum });
      go(Math.min(k + 1, last)); // the step is shown, and the lesson moves on
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const k = position;
      const q = at.get(k);
      if (!q || !asking(k)) return;
      const typed = input.value.trim().replace(/\u2212/g, "-");
      const yours = Number(typed);
      if (typed === "" || !Number.isFinite(yours)) {
        say([{ text: "a number, please (e.g. 8 or -1.5)", className: "tg-wrong-answer" }]);
        saidAt = k;
        return;
      }
      const d = done.get(k) || { tries: 0 };
      d.tries += 1;
      done.set(k, d);
      const verdict = judge(q, yours);
      if (verdict.right) {
        close(k, true, `✓ ${events[k].text}`);
        return;
      }
      const mark = (factor, text) => ({ text, className: verdict.factor === factor ? "tg-term tg-wrong" : "tg-term" });
      const product = q.fromRoot
        ? [`${q.localName} = `, mark("local", fmt(num(q.local))), ` = ${fmt(num(q.answer))}`]
        : [
            `${q.upstreamName} · ${q.localName} = `,
            mark("upstream", inParentheses(fmt(num(q.upstream)))),
            " · ",
            mark("local", inParentheses(fmt(num(q.local)))),
            ` = ${fmt(num(q.answer))}`,
          ];
      say([
        { text: `✗ yours ${fmt(yours)}, right ${fmt(num(q.answer))}`, className: "tg-wrong-answer" },
        { pieces: product },
        { text: verdict.why },
        { text: "Try again, or Reveal to see the step." },
      ]);
      saidAt = k;
      input.select();
    });

    byId("tg-reveal").addEventListener("click", () => {
      const k = position;
      if (at.has(k) && asking(k)) close(k, false, `shown: ${events[k].text}`);
    });

    return { asking, limit, update, prompt: (k) => at.get(k).prompt };
  }
})();
