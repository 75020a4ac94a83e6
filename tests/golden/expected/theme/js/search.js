// The search page: Pagefind's index (one bundle, or several merged with mergeIndex), queried
// from the URL: ?q=, the filters jahr, rubrik, autor, and sort=neu for the newest first.
// Only <mark> from Pagefind's excerpts becomes markup: the excerpt is split at <mark> and
// </mark>, and every other text, from the index or not, is set as text.
const form = document.querySelector("form.search-page");
const words = form.dataset;
const status = document.getElementById("suche-status");
const list = document.getElementById("suche-treffer");
const more = document.getElementById("suche-mehr");
const selects = [...form.querySelectorAll("select[data-filter]")];
const PAGE = Number(words.pageSize) || 20; // results shown at once; "load more" adds more
const FIRST = 5; // results fetched and shown first, so the reader sees answers soonest
const plural = new Intl.PluralRules(words.lang);
const number = new Intl.NumberFormat(words.lang);
const collator = new Intl.Collator(words.lang);

let pagefind = null;
let results = [];
let shown = 0;
let generation = 0; // a newer search makes the answers of an older one stale

function fill(pattern, values) {
  return pattern.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
}

function counted(n) {
  const category = plural.select(n);
  const key = "results" + category[0].toUpperCase() + category.slice(1);
  return fill(words[key] || words.resultsOther, { n: number.format(n) });
}

const ENTITY = /&(?:#(\d+)|#x([0-9a-f]+)|([a-z]+));/gi;
const NAMED = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function decode(text) {
  return text.replace(ENTITY, (whole, decimal, hex, name) => {
    try {
      if (decimal) return String.fromCodePoint(Number(decimal));
      if (hex) return String.fromCodePoint(parseInt(hex, 16));
    } catch {
      return whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

function excerpt(html) {
  const paragraph = document.createElement("p");
  paragraph.className = "excerpt";
  let mark = null;
  for (const part of html.split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") {
      mark = document.createElement("mark");
      paragraph.append(mark);
    } else if (part === "</mark>") {
      mark = null;
    } else if (part) {
      (mark || paragraph).append(decode(part)); // a string becomes a text node, never markup
    }
  }
  return paragraph;
}

function entry(data) {
  const item = document.createElement("li");
  item.className = "search-result";
  if (data.meta.kicker) {
    const kicker = document.createElement("p");
    kicker.className = "kicker";
    kicker.textContent = data.meta.kicker;
    item.append(kicker);
  }
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title;
  heading.append(link);
  const meta = document.createElement("p");
  meta.className = "meta";
  const section = (data.filters.section || [])[0];
  meta.textContent = [section, data.meta.date].filter(Boolean).join(" · ");
  item.append(heading, meta, excerpt(data.excerpt || ""));
  return item;
}

function readState(search) {
  const params = new URLSearchParams(search);
  const state = { q: (params.get("q") || "").trim(), sort: params.get("sort") === "neu" ? "neu" : "" };
  for (const select of selects) state[select.name] = params.get(select.name) || "";
  return state;
}

function formState() {
  const state = { q: form.q.value.trim(), sort: form.sort.value === "neu" ? "neu" : "" };
  for (const select of selects) state[select.name] = select.value;
  return state;
}

function stateUrl(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  for (const select of selects) if (state[select.name]) params.set(select.name, state[select.name]);
  if (state.sort) params.set("sort", state.sort);
  const query = params.toString();
  return location.pathname + (query ? "?" + query : "");
}

function chosenFilters(state, without = null) {
  const chosen = {};
  for (const select of selects) {
    if (state[select.name] && select.name !== without) chosen[select.dataset.filter] = state[select.name];
  }
  return chosen;
}

function fillSelect(select, counts, chosen) {
  const names = Object.keys(counts || {}).filter((name) => counts[name] > 0 || name === chosen);
  if (select.dataset.filter === "year") names.sort((a, b) => Number(b) - Number(a));
  else names.sort(collator.compare);
  const options = names.map((name) => new Option(`${name} (${number.format(counts[name] || 0)})`, name));
  select.replaceChildren(select.options[0], ...options);
  select.value = chosen;
  if (select.dataset.filter === "author") select.parentElement.hidden = !names.length;
}

async function showMore(mine, focus) {
  const next = results.slice(shown, shown + PAGE);
  // Each result is a fragment file of its own: the first few go on screen before the rest.
  const batches = [next.slice(0, FIRST), next.slice(FIRST)].filter((batch) => batch.length);
  const items = [];
  for (const [index, batch] of batches.entries()) {
    const data = await Promise.all(batch.map((result) => result.data()));
    if (mine !== generation) return;
    const added = data.map(entry);
    list.append(...added);
    items.push(...added);
    if (index === 0) performance.mark("suche-first");
  }
  shown += next.length;
  more.hidden = shown >= results.length;
  const total = counted(results.length);
  status.textContent = results.length > shown
    ? `${total}, ${fill(words.shown, { shown: number.format(shown), total: number.format(results.length) })}`
    : total;
  if (focus && items.length) items[0].querySelector("a").focus();
}

async function run(state) {
  const mine = ++generation;
  form.q.value = state.q;
  form.sort.value = state.sort;
  const chosen = chosenFilters(state);
  if (!state.q && !Object.keys(chosen).length) {
    const totals = await pagefind.filters();
    if (mine !== generation) return;
    for (const select of selects) fillSelect(select, totals[select.dataset.filter], "");
    results = [];
    shown = 0;
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "";
    return;
  }
  performance.mark("suche-start");
  status.textContent = words.loading;
  list.setAttribute("aria-busy", "true"); // until results and counts are in
  const options = { filters: chosen };
  if (state.sort === "neu") options.sort = { date: "desc" };
  const search = await pagefind.search(state.q || null, options);
  performance.mark("suche-found");
  if (mine !== generation) return;
  results = search.results;
  shown = 0;
  list.replaceChildren();
  if (!results.length) {
    more.hidden = true;
    status.textContent = words.none;
  } else {
    await showMore(mine, false);
  }
  if (mine !== generation) return;
  performance.measure("suche-results", "suche-start");
  // The counts come after the results: a chosen filter counts its values as if it were not
  // chosen (one more search per chosen filter), so a reader sees where else to look.
  const own = await Promise.all(selects.map((select) => state[select.name]
    ? pagefind.search(state.q || null, { filters: chosenFilters(state, select.name) })
    : search));
  if (mine !== generation) return;
  selects.forEach((select, index) => {
    fillSelect(select, own[index].filters[select.dataset.filter], state[select.name]);
  });
  list.setAttribute("aria-busy", "false");
}

function submitted(push) {
  const state = formState();
  const url = stateUrl(state);
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
  return run(state);
}

async function start() {
  const base = new URL(words.base, location.href);
  const bundles = words.indexes.split(/\s+/).filter(Boolean).map((path) => new URL(path, base));
  try {
    pagefind = await import(new URL("pagefind.js", bundles[0]).href);
    await pagefind.options({ baseUrl: base.pathname, excerptLength: 30 });
    for (const bundle of bundles.slice(1)) await pagefind.mergeIndex(bundle.href, { baseUrl: base.pathname });
    await pagefind.init();
    await pagefind.filters(); // loads the filter files: searches count per value only after it
  } catch (error) {
    const link = document.createElement("a");
    link.href = words.archive;
    link.textContent = words.archiveText;
    status.replaceChildren(words.failed + " ", link);
    throw error;
  }
  for (const fieldset of form.querySelectorAll("fieldset")) fieldset.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitted(true);
  });
  for (const control of [...selects, ...form.querySelectorAll("input[name=sort]")]) {
    control.addEventListener("change", () => submitted(false));
  }
  more.addEventListener("click", () => showMore(generation, true));
  // While the reader types, Pagefind fetches the index files the words will need.
  let typing = 0;
  form.q.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => pagefind.preload(form.q.value.trim()), 150);
  });
  window.addEventListener("popstate", () => run(readState(location.search)));
  await run(readState(location.search));
  document.documentElement.dataset.search = "ready";
}

start();
