// The search page: Pagefind's index, queried from the URL's ?q= with year and section filters.
// Everything is written with textContent, so nothing in the index can become markup.
const form = document.querySelector("form.search-page");
const base = new URL(form.dataset.base, location.href);
const status = document.getElementById("suche-status");
const list = document.getElementById("suche-treffer");
const params = new URLSearchParams(location.search);
const pagefind = await import(new URL("pagefind/pagefind.js", base).href);
await pagefind.options({ baseUrl: base.pathname });

async function fillFilter(select, values, chosen, newestFirst) {
  const names = Object.keys(values || {}).sort();
  if (newestFirst) names.reverse();
  for (const name of names) {
    const option = new Option(`${name} (${values[name]})`, name, false, name === chosen);
    select.add(option);
  }
}

function counted(n) {
  const pattern = n === 1 ? form.dataset.resultsOne : form.dataset.resultsOther;
  return pattern.replace("{n}", n.toLocaleString(form.dataset.lang));
}

function entry(data) {
  const item = document.createElement("li");
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
  const date = document.createElement("p");
  date.className = "meta";
  date.textContent = data.meta.date || "";
  item.append(heading, date);
  return item;
}

const query = (params.get("q") || "").trim();
const year = params.get("jahr") || "";
const section = params.get("rubrik") || "";
form.q.value = query;
const filters = await pagefind.filters();
await fillFilter(form.jahr, filters.year, year, true);
await fillFilter(form.rubrik, filters.section, section, false);
if (query) {
  const chosen = {};
  if (year) chosen.year = year;
  if (section) chosen.section = section;
  const search = await pagefind.search(query, { filters: chosen, sort: { date: "desc" } });
  const shown = await Promise.all(search.results.slice(0, 50).map((r) => r.data()));
  status.textContent = search.results.length ? counted(search.results.length) : form.dataset.none;
  list.replaceChildren(...shown.map(entry));
}
