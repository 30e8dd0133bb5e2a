"""The tables `make bench` prints (Markdown, for docs/benchmarks.md), and
the issue targets beside the figures. KB are 1,000 bytes; MB 1,000,000 for
downloads and 2**20 for memory and site size (as the issues quote them)."""
from __future__ import annotations

KB = 1000
STAGES = ("parse", "import", "load", "render", "search", "write")


def kb(n: int | None) -> str:
    return "–" if n is None else f"{n / KB:,.0f} KB" if n < 10 * KB * KB else f"{n / KB / KB:,.1f} MB"


def ms(t: float | None) -> str:
    return "no results" if t is None else f"{t:,.0f} ms" if t < 1000 else f"{t / 1000:,.1f} s"


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def seconds(stats: dict, key: str = "wall") -> str:
    value = stats.get(key)
    return "–" if value is None else f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def newest(stats: dict) -> str:
    """The best try, and every try's wall time when there were several."""
    tries = stats.get("tries", [])
    return seconds(stats) + (f" (tries {'/'.join(f'{t:.2f}' for t in tries)})" if len(tries) > 1 else "")


def peak(row: dict) -> float:
    return max(row[k]["peak_mb"] for k in ("cold", "noop", "newest", "mid", "edited", "from_pages"))


def identical(row: dict) -> str:
    differ = row["differ"]
    if not differ:
        return "identical"
    return f"{len(differ)} files differ: " + ", ".join(differ[:5]) + (" …" if len(differ) > 5 else "")


def lunr_cell(row: dict) -> str:
    lunr = row.get("lunr")
    if not lunr:
        return "not timed"
    if "error" in lunr:
        return lunr["error"]
    return f"{lunr['ours']:.1f} s vs {lunr['lunr']:.1f} s = {lunr['lunr'] / lunr['ours']:.1f}x"


def print_tables(rows: list[dict], hour: dict | None, index_rows: list[dict] = ()) -> None:
    print_builds(rows)
    print_stages(rows)
    if index_rows:
        from bench.index_step import print_rows
        print_rows(index_rows)
    searched = [r for r in rows if "search" in r]
    if searched:
        print_search(searched)
    if hour:
        print_hour(hour)
    print_targets(rows, hour, index_rows)


def print_builds(rows: list[dict]) -> None:
    print("| episodes | speed probe before/after | cold build | cold, pages already imported | no-op rebuild "
          "| +1 newest | +1 mid-archive | edited page | peak memory | output | per episode | largest page "
          "| incremental vs clean build |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        name, size = r["largest_page"]
        print(f"| {r['n']:,} | {r['probe'][0]:.2f}/{r['probe'][1]:.2f} s | {seconds(r['cold'])} "
              f"| {seconds(r['from_pages'])} | {seconds(r['noop'])} | {newest(r['newest'])} | {seconds(r['mid'])} "
              f"| {seconds(r['edited'])} | {peak(r):.0f} MB | {mib(r['site_bytes'])} "
              f"| {r['site_bytes'] / r['episodes'] / KB:,.1f} KB | `{name}` {size / KB:,.0f} KB | {identical(r)} |")
    print()


def print_stages(rows: list[dict]) -> None:
    print("Stages of the cold build, search files and the lunr.lunr() reference:\n")
    print("| episodes | parse | import | load | render | search index | write | search files gzip per episode "
          "| build_index vs lunr.lunr() |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        c = r["cold"]
        print(f"| {r['n']:,} | " + " | ".join(seconds(c, k) for k in STAGES)
              + f" | {r['index']['gzip'] / r['episodes']:,.0f} B | {lunr_cell(r)} |")
    print()


def _query_cells(engine: dict | None, label: str) -> str:
    if not engine:
        return "– | – | –"
    local, mobile = engine["queries"][f"{label}/localhost"], engine["queries"][f"{label}/mobile"]
    return f"{kb(local['bytes'])} | {ms(local['first_ms'])} | {ms(mobile['first_ms'])}"


def print_search(rows: list[dict]) -> None:
    from bench.run import QUERIES

    print("Search page: downloaded (gzip, everything the page and its worker fetched, empty cache) and first "
          "results (a link in the results list, from navigation start):\n")
    print("| episodes | query | ours: downloaded | ours: first results, localhost | ours: mobile network "
          "| Pagefind: downloaded | Pagefind: localhost | Pagefind: mobile network |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        s = r["search"]
        for label, q in QUERIES:
            print(f"| {r['n']:,} | {label}: `{q}` | {_query_cells(s['ours'], label)} "
                  f"| {_query_cells(s.get('pagefind'), label)} |")
    print()
    print("| episodes | worker JS heap after 5 queries: ours | Pagefind | later queries, their shards fetched (ours) "
          "| a query again, its data loaded: ours | Pagefind | shards | largest shard (gzip) "
          "| Pagefind index chunks, largest | Pagefind indexing |")
    print("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        s, layout = r["search"], r["index"]
        ours, theirs = s["ours"]["session"], (s.get("pagefind") or {}).get("session")
        pf = s.get("pagefind_index")
        shard = layout["largest_shard"]
        shard_cell = f"`{shard[0]}` {kb(shard[1])}" if shard else "–"
        chunks = f"{pf['chunks']:,}, {kb(pf['largest_chunk'])}" if pf else "–"
        indexing = f"{pf['seconds']:.1f} s, {pf['peak_mb']:,.0f} MB" if pf else "–"
        print(f"| {r['n']:,} | {mib(ours['heap_bytes']) if ours['heap_bytes'] else '–'} "
              f"| {mib(theirs['heap_bytes']) if theirs and theirs['heap_bytes'] else '–'} "
              f"| {', '.join(ms(t) for t in ours['later_ms'])} | {ms(ours['loaded_ms'])} "
              f"| {ms(theirs['loaded_ms']) if theirs else '–'} "
              f"| {layout['shards'] or '–'} | {shard_cell} | {chunks} | {indexing} |")
    print()
    print_loaded(rows)
    for r in rows:
        s = r["search"]
        e = s["emulation"]
        print(f"{r['n']:,} episodes: search page {s['search_path']}; search/ holds {r['index']['files']} files "
              f"{r['index']['groups']}; mobile emulation check: a worker fetched {e['bytes']:,} bytes in "
              f"{ms(e['worker_ms'])} (expected about {ms(e['expected_ms'])})")
        for engine in ("ours", "pagefind"):
            for key, m in (s.get(engine) or {}).get("queries", {}).items():
                if key.endswith("/localhost"):
                    kinds = ", ".join(f"{k} {kb(v)}" for k, v in sorted(m["kinds"].items()))
                    unseen = f"; NOT SEEN BY DEVTOOLS: {m['unseen_by_devtools']}" if m["unseen_by_devtools"] else ""
                    print(f"  {engine} {m['q']}: {m['requests']} requests ({m['worker_requests']} by the worker): "
                          f"{kinds}{unseen}")
    print()


def print_loaded(rows: list[dict]) -> None:
    from bench.browser import median

    loaded = [r for r in rows if r["search"]["ours"].get("loaded")]
    if not loaded:
        return
    queries = list(loaded[0]["search"]["ours"]["loaded"]["queries"])
    print("New queries whose shards are loaded, asked of the page's worker (postMessage to its answer, "
          "median of the repeats; the first time asked in brackets), and the worker's heap after them:\n")
    print("| episodes | " + " | ".join(f"`{q}`" for q in queries) + " | worker heap |")
    print("|---:|" + "---:|" * len(queries) + "---:|")
    for r in loaded:
        found = r["search"]["ours"]["loaded"]
        cells = []
        for q in queries:
            m = found["queries"][q]
            cells.append(f"{ms(median(m['ms']))} ({ms(m['first_ms'])}; {m['total']:,} hits)"
                         if m["total"] is not None else "no answer")
        heap = found["heap_bytes"]
        print(f"| {r['n']:,} | " + " | ".join(cells) + f" | {mib(heap) if heap else '–'} |")
    print()


def slowest_loaded(ours: dict) -> float | None:
    """The slowest median of the loaded-shard queries (None if one gave no answer)."""
    from bench.browser import median

    medians = [median(m["ms"]) for m in ours["loaded"]["queries"].values()]
    return None if None in medians else max(medians)


def print_hour(hour: dict) -> None:
    name, size = hour["largest_page"]
    print(f"Hour-long episodes (~{hour['words']:,} words):\n")
    print("| episodes | cold build | peak memory | output | per episode | of which episodes/ | largest page |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    print(f"| {hour['n']:,} | {seconds(hour['cold'])} | {hour['cold']['peak_mb']:.0f} MB | {mib(hour['site_bytes'])} "
          f"| {hour['site_bytes'] / hour['episodes'] / KB:,.1f} KB | {hour['episodes_bytes'] / hour['episodes'] / KB:,.1f} KB "
          f"| `{name}` {size / KB:,.0f} KB |")
    print()


def print_targets(rows: list[dict], hour: dict | None, index_rows: list[dict] = ()) -> None:
    by_n = {r["n"]: r for r in rows}
    lines: list[tuple[str, str, str, bool | None]] = []

    def target(measure, goal, shown, met):
        lines.append((measure, goal, shown, met))

    for n in (1000, 10000):
        r = by_n.get(n)
        if not r or "search" not in r:
            continue
        ours = r["search"]["ours"]
        one = ours["queries"]["one word/localhost"]["bytes"]
        goal = 150 * KB if n == 1000 else 250 * KB
        theirs = (r["search"].get("pagefind") or {}).get("queries", {}).get("one word/localhost")
        met = one <= goal and (n == 1000 or theirs is None or one < theirs["bytes"])
        target(f"one-word query, {n:,} episodes (issue 12)", f"≤ {goal // KB} KB"
               + ("" if n == 1000 else ", less than Pagefind"),
               kb(one) + (f" (Pagefind {kb(theirs['bytes'])})" if theirs else ""), met)
        if ours.get("loaded"):
            slowest = slowest_loaded(ours)
            target(f"later queries whose shards are loaded, {n:,} episodes (slowest median)", "≤ 50 ms",
                   ms(slowest), slowest is not None and slowest <= 50)
        again = ours["session"]["loaded_ms"]
        target(f"the same query again, {n:,} episodes", "≤ 50 ms", ms(again), again is not None and again <= 50)
    r = by_n.get(10000)
    if r and "search" in r:
        ours = r["search"]["ours"]
        mobile = [ours["queries"][f"{label}/mobile"]["first_ms"] for label in ("one word", "two words", "phrase")]
        worst = None if None in mobile else max(mobile)
        target("first results, 10,000 episodes, mobile network (slowest of 3 queries)", "≤ 2.5 s", ms(worst),
               worst is not None and worst <= 2500)
        heap = ours["session"]["heap_bytes"]
        target("worker heap, 10,000 episodes", "≤ 20 MB", mib(heap) if heap else "–",
               bool(heap) and heap <= 20 * 2**20)
    for i in index_rows:
        s = i["seconds"]
        target(f"index build step, {i['n']:,} episodes (issue 12)", "no slower than the single index.json's",
               f"{s['full']:.2f} s vs {s['old']:.2f} s = {i['full_vs_old']:.2f}", i["full_vs_old"] <= 1)
        target(f"index step for +1 newest, {i['n']:,} episodes (issue 12)",
               "no slower than the single index.json's full build",
               f"{s['newest']:.2f} s vs {s['old']:.2f} s = {i['newest_vs_old']:.2f}", i["newest_vs_old"] <= 1)
    if r:
        target("no-op, 10,000 episodes (issue 14)", "≤ 0.5 s", seconds(r["noop"]), r["noop"]["wall"] <= 0.5)
        target("+1 newest, 10,000 episodes", "≤ 2 s", seconds(r["newest"]), r["newest"]["wall"] <= 2)
        target("+1 mid-archive, 10,000 episodes", "≤ 5 s", seconds(r["mid"]), r["mid"]["wall"] <= 5)
        target("cold build, 10,000 episodes", "≤ 60 s", seconds(r["cold"]), r["cold"]["wall"] <= 60)
        target("peak memory, 10,000 episodes", "< 1 GB", f"{peak(r):.0f} MB", peak(r) < 1024)
        name, size = r["largest_page"]
        target("largest page, 10,000 episodes", "≤ 300 KB", f"`{name}` {size / KB:,.0f} KB", size <= 300 * KB)
        target("incremental = clean build after +1 newest, +1 mid-archive, an edit, 10,000 episodes",
               "identical", identical(r), not r["differ"])
    if hour:
        per = hour["site_bytes"] / hour["episodes"]
        target(f"hour-long episodes, {hour['n']:,} episodes", "≤ 100 KB per episode", f"{per / KB:,.1f} KB",
               per <= 100 * KB)
    r = by_n.get(1000)
    if r:
        target("cold build, 1,000 episodes (issue 5)", "≤ 10 s", seconds(r["cold"]), r["cold"]["wall"] <= 10)
        target("no-op, 1,000 episodes (issue 6)", "≤ 1 s", seconds(r["noop"]), r["noop"]["wall"] <= 1)
        target("+1 newest, 1,000 episodes (issue 6)", "≤ 1.5 s", seconds(r["newest"]), r["newest"]["wall"] <= 1.5)
        target("1,000-episode figures (issue 14)", "no worse than docs/benchmarks.md", "compare above", None)
    for r in rows:
        if r["n"] != 10000:
            target(f"incremental = clean build, {r['n']:,} episodes", "identical", identical(r), not r["differ"])
    if not lines:
        return
    print("Targets:\n")
    print("| measure | target | measured | met? |")
    print("|---|---|---|---|")
    for measure, goal, shown, met in lines:
        print(f"| {measure} | {goal} | {shown} | {'–' if met is None else 'yes' if met else 'NO'} |")
