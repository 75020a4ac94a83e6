// The search page: Pagefind's indexes, one per year and one for the undated pieces (listed,
// newest first, in pagefind/shards.json), or one for the whole site; queried from the URL:
// ?q=, the filters jahr, rubrik, autor, and sort=neu for the newest first.
// Every shard is an instance of one Pagefind module (createInstance), searched on its own:
// "newest first" is the shards' own date orders one after the other, so the first results
// wait only for the newest shards; relevance merges all shards by score, as mergeIndex does.
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

let shards = []; // {name, year, instance, ready}: year "" is the undated shard, null the one index
let vocabulary = null; // the words index: which shards one index of the whole archive would match
let found = null; // the search on screen
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

function sumFilters(responses) {
  const sums = {};
  for (const filters of responses) {
    for (const [name, counts] of Object.entries(filters || {})) {
      const sum = (sums[name] ||= {});
      for (const [value, count] of Object.entries(counts)) sum[value] = (sum[value] || 0) + count;
    }
  }
  return sums;
}

const NOTHING = { results: [], filters: {} };
const EXACT = /^\s*".+"\s*$/; // a quoted phrase: Pagefind matches its words exactly

// The shards that hold a match for ``term``, as one index of the whole archive would match it.
// Pagefind matches a word to the index words it begins or, with none, to the longest index
// word that begins it; a shard without the word would match a shorter one ("Obama": "ob").
async function matching(term) {
  if (!vocabulary || !term || EXACT.test(term)) return null; // each shard answers as one index
  await vocabulary.ready;
  const answer = await vocabulary.instance.search(term);
  const counts = answer.filters.shard || {};
  return new Set(Object.keys(counts).filter((name) => counts[name] > 0));
}

// One search over the shards. A chosen year needs only its own shard (the undated have no
// year). Best first searches every shard at once; newest first searches the shards one after
// the other until a page is full, and the rest only when the counts are asked for.
class Found {
  constructor(term, filters, byDate) {
    const year = filters.year;
    const options = { filters, ...(byDate ? { sort: { date: "desc" } } : {}) };
    const eligible = matching(term);
    this.targets = shards.filter((shard) => !year || shard.year === null || shard.year === year);
    this.search = async (shard) => {
      await shard.ready;
      const [answer, names] = await Promise.all([shard.instance.search(term, options), eligible]);
      return !names || names.has(shard.name) ? answer : NOTHING;
    };
    this.parts = this.targets.map(() => null); // each shard's search, once started
    this.byDate = byDate;
    this.results = [];
    this.read = 0; // shards whose results are in this.results
    this.complete = !this.targets.length;
  }

  part(index) {
    this.parts[index] ||= this.search(this.targets[index]);
    return this.parts[index];
  }

  all() {
    return Promise.all(this.targets.map((_, index) => this.part(index)));
  }

  // Have at least ``n`` results in order, or all of them.
  async upTo(n) {
    if (!this.byDate) {
      // Best first across shards: each shard's results by score, merged by score; the sort is
      // stable, so equal scores keep the newer shard first, as mergeIndex does.
      const all = await this.all();
      if (!this.complete) {
        this.results = all.flatMap((part) => part.results).sort((a, b) => b.score - a.score);
        this.read = all.length;
        this.complete = true;
      }
      return;
    }
    // Newest first: the shards are newest first and each is in date order within.
    while (this.results.length < n && this.read < this.targets.length) {
      const index = this.read;
      const part = await this.part(index);
      if (this.read !== index) continue; // another caller has read this shard meanwhile
      this.read += 1;
      this.results.push(...part.results);
      this.complete = this.read === this.targets.length;
    }
  }

  // Every result, and the count per filter value over all shards.
  async filters() {
    const all = this.all(); // the shards not searched yet, all at once
    await this.upTo(Infinity);
    return sumFilters((await all).map((part) => part.filters));
  }
}

function report() {
  const total = found.results.length;
  more.hidden = found.complete && shown >= total;
  if (!found.complete) return; // the count waits for every shard
  if (!total) {
    status.textContent = words.none;
    return;
  }
  status.textContent = total > shown
    ? `${counted(total)}, ${fill(words.shown, { shown: number.format(shown), total: number.format(total) })}`
    : counted(total);
}

async function showMore(mine, focus) {
  await found.upTo(shown + PAGE);
  if (mine !== generation) return;
  const next = found.results.slice(shown, shown + PAGE);
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
  report();
  if (focus && items.length) items[0].querySelector("a").focus();
}

async function run(state) {
  const mine = ++generation;
  form.q.value = state.q;
  form.sort.value = state.sort;
  const chosen = chosenFilters(state);
  if (!state.q && !Object.keys(chosen).length) {
    const totals = sumFilters(await Promise.all(shards.map((shard) => shard.ready.then(() => shard.instance.filters()))));
    if (mine !== generation) return;
    for (const select of selects) fillSelect(select, totals[select.dataset.filter], "");
    found = null;
    shown = 0;
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "";
    return;
  }
  performance.mark("suche-start");
  status.textContent = words.loading;
  list.setAttribute("aria-busy", "true"); // until results and counts are in
  const search = new Found(state.q || null, chosen, state.sort === "neu");
  await search.upTo(PAGE);
  performance.mark("suche-found");
  if (mine !== generation) return;
  found = search;
  shown = 0;
  list.replaceChildren();
  await showMore(mine, false);
  if (mine !== generation) return;
  performance.measure("suche-results", "suche-start");
  // The counts come after the results: a chosen filter counts its values as if it were not
  // chosen (one more search per chosen filter), so a reader sees where else to look.
  const own = await Promise.all(selects.map((select) => state[select.name]
    ? new Found(state.q || null, chosenFilters(state, select.name), false).filters()
    : search.filters()));
  if (mine !== generation) return;
  report();
  selects.forEach((select, index) => {
    fillSelect(select, own[index][select.dataset.filter], state[select.name]);
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

async function listShards(base) {
  if (!words.shards) return { indexes: [{ name: "", year: null, url: new URL(words.indexes, base) }] };
  const response = await fetch(new URL(words.shards, base));
  if (!response.ok) throw new Error(`${response.url}: ${response.status}`);
  const listing = await response.json();
  return {
    indexes: listing.shards.map((shard) => ({ name: shard.name, year: shard.year || "", url: new URL(shard.path, base) })),
    words: listing.words ? { name: "", year: null, url: new URL(listing.words, base) } : null,
  };
}

async function open(listed, base) {
  const pagefind = await import(new URL("pagefind.js", listed.indexes[0].url).href);
  const instance = ({ name, year, url }) => {
    const index = pagefind.createInstance({ basePath: url.pathname });
    // The filter files load with the index: searches count per value only after that.
    const ready = index.options({ baseUrl: base.pathname, excerptLength: 30 })
      .then(() => index.init()).then(() => index.filters());
    return { name, year, instance: index, ready };
  };
  // The instances share one WebAssembly module, set up by the first that loads it: two
  // loading it at once each set it up, and the first one's memory is lost ("unreachable").
  const first = instance(listed.indexes[0]);
  await first.ready;
  shards = [first, ...listed.indexes.slice(1).map(instance)];
  if (listed.words) vocabulary = instance(listed.words);
  await Promise.all([...shards, vocabulary].filter(Boolean).map((shard) => shard.ready));
}

async function start() {
  const base = new URL(words.base, location.href);
  try {
    const listed = await listShards(base);
    if (listed.indexes.length) await open(listed, base); // none: nothing is searchable yet
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
    typing = setTimeout(() => {
      for (const shard of [...shards, vocabulary].filter(Boolean)) shard.instance.preload(form.q.value.trim());
    }, 150);
  });
  window.addEventListener("popstate", () => run(readState(location.search)));
  await run(readState(location.search));
  document.documentElement.dataset.search = "ready";
}

start();
