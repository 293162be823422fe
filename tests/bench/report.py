"""Turns the JSON lines the bench programs print into the Markdown report scripts/bench
shows: the machine, one table of medians with ratios, the stores side by side (SQLite with
one gateway process, PostgreSQL with one and with three), and the issue's targets.
Usage: python3 report.py RESULTS.jsonl MACHINE.json"""
import json
import statistics
import sys
from collections import defaultdict

lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
machine = json.load(open(sys.argv[2]))

# A store configuration: (store, gateway processes). Lines from before the store option
# carry neither and were SQLite with one process.
SQLITE = ("sqlite", 1)

def config(line):
    return (line.get("store", "sqlite"), int(line.get("processes", 1)))

def config_name(cfg):
    store, processes = cfg
    return f"{'SQLite' if store == 'sqlite' else 'PostgreSQL'} ×{processes}"

acs = defaultdict(list)  # (config, variant, concurrency) -> result lines
peers = {}  # (peer, variant) -> per_second
floor = {}
other = defaultdict(list)  # kind -> result lines (any config)
for line in lines:
    kind = line["bench"]
    if kind == "acs":
        acs[(config(line), line["variant"], int(line["concurrency"]))].append(line)
    elif kind == "peer":
        peers[(line["peer"], line["variant"])] = line["per_second"]
    elif kind == "floor":
        floor[line["variant"]] = line["per_second"]
    else:
        other[kind].append(line)

def of_config(kind, cfg):
    return [l for l in other.get(kind, []) if config(l) == cfg]

def med(rows, field):
    return statistics.median(r[field] for r in rows)

def num(x, digits=0):
    return f"{x:,.{digits}f}"

variants = {"assertion": "Assertion signed", "both": "Response + Assertion signed"}
fastest_peer = {v: max((r for (p, pv), r in peers.items() if pv == v), default=0) for v in variants}

out = []
out.append(f"Machine: {machine['cpu']}, {machine['nproc']} CPUs (nproc), kernel {machine['kernel']}; "
           f"load average at start {machine['load']}. Runs per measurement: {machine['runs']} "
           f"(medians shown). {machine['note']}")
out.append("")
out.append("| Benchmark | Median | p50 ms | p99 ms | × fastest peer | % of floor |")
out.append("|---|---:|---:|---:|---:|---:|")
for variant, title in variants.items():
    for (cfg, v, concurrency), rows in sorted(acs.items()):
        if cfg != SQLITE or v != variant:
            continue
        rate = med(rows, "per_second_per_core")
        cores = int(rows[0]["cores"])
        peer = fastest_peer[variant]
        ratio = f"{rate / peer:.1f}×" if peer else "–"
        share = f"{100 * rate / floor[variant]:.0f}%" if floor.get(variant) else "–"
        out.append(f"| Gatehouse ACS end to end, {title}, {concurrency} client(s) | "
                   f"{num(rate)} sign-ins/s per core ({cores} core) | {med(rows, 'p50_ms'):.2f} | "
                   f"{med(rows, 'p99_ms'):.2f} | {ratio} | {share} |")
    for (peer, v), rate in sorted(peers.items()):
        if v == variant:
            share = f"{100 * rate / floor[variant]:.0f}%" if floor.get(variant) else "–"
            out.append(f"| {peer} in process, {title} (1 core) | {num(rate)} validations/s | | | "
                       f"{rate / fastest_peer[variant]:.2f}× | {share} |")
    if variant in floor:
        out.append(f"| Floor: libxml2 parse + xmlsec verify, {title} (1 core) | {num(floor[variant])} /s | | | "
                   f"{floor[variant] / fastest_peer[variant]:.1f}× | 100% |" if fastest_peer[variant] else
                   f"| Floor, {title} | {num(floor[variant])} /s | | | – | 100% |")
for line in other.get("openssl", []):
    out.append(f"| openssl speed rsa2048 (1 core) | {num(line['verify_per_second'])} verify/s, "
               f"{num(line['sign_per_second'])} sign/s | | | | |")
for line in of_config("acs_rss", SQLITE):
    out.append(f"| Server peak RSS, ACS runs | {line['peak_rss_kib'] / 1024:.0f} MB | | | | |")

# SCIM: one line per run of scim_bench; the medians over runs, by operation.
def scim_medians(cfg):
    """{key: {field: median}} for one configuration; keys are the operation for "scim" lines
    and the kind for the others."""
    grouped = defaultdict(list)
    for kind in ("scim", "scim_prefill", "scim_big_group", "scim_sync", "scim_rss"):
        for line in of_config(kind, cfg):
            grouped[line["operation"] if kind == "scim" else kind].append(line)
    return {key: {field: statistics.median(r[field] for r in rows)
                  for field, value in rows[0].items() if isinstance(value, (int, float))}
            for key, rows in grouped.items()}

def durability(cfg):
    """(found, acknowledged) of the worst run, None when skipped or absent."""
    rows = of_config("scim_durability", cfg)
    if not rows:
        return None
    worst = min(rows, key=lambda r: r["found_after_kill"] - r["acknowledged"])
    return int(worst["found_after_kill"]), int(worst["acknowledged"])

scim_operations = []  # in the order the bench runs them
for line in other.get("scim", []):
    if line["operation"] not in scim_operations:
        scim_operations.append(line["operation"])

sqlite_scim = scim_medians(SQLITE)
if "scim_prefill" in sqlite_scim:
    line = sqlite_scim["scim_prefill"]
    out.append(f"| SCIM prefill {num(line['members'])} members + {num(line['teams'])} teams (one transaction) | "
               f"{line['seconds']:.1f} s | | | | |")
for operation in scim_operations:
    if operation in sqlite_scim:
        line = sqlite_scim[operation]
        out.append(f"| SCIM {operation} ({int(line['concurrency'])} clients, {num(line['count'])} requests) | "
                   f"{num(line['per_second'])} req/s | {line['p50_ms']:.2f} | {line['p99_ms']:.2f} | | |")
if "scim_big_group" in sqlite_scim:
    line = sqlite_scim["scim_big_group"]
    out.append(f"| SCIM GET a group of {num(line['members'])} members | {line['ms']:.0f} ms | | | | |")
if "scim_sync" in sqlite_scim:
    line = sqlite_scim["scim_sync"]
    out.append(f"| SCIM Okta-style initial sync, {num(line['users'])} users + {num(line['groups'])} groups | "
               f"{line['seconds']:.1f} s | | | | |")
if durability(SQLITE):
    found, acknowledged = durability(SQLITE)
    out.append(f"| Acknowledged POST /Users found after kill -9 | {found} of {acknowledged} | | | | |")
if "scim_rss" in sqlite_scim:
    line = sqlite_scim["scim_rss"]
    out.append(f"| Server peak RSS, SCIM runs at {num(line['members'])} members | {line['peak_rss_kib'] / 1024:.0f} MB | | | | |")

# ---- the stores side by side ------------------------------------------------------------
configs = sorted({cfg for (cfg, _, _) in acs} |
                 {config(l) for kind in ("scim", "scim_sync") for l in other.get(kind, [])},
                 key=lambda cfg: (cfg[0] != "sqlite", cfg[0], cfg[1]))
if len(configs) > 1:
    postgres = [cfg for cfg in configs if cfg != SQLITE]
    out.append("")
    out.append("Stores side by side, medians (×N: gateway processes; a ratio is the PostgreSQL figure "
               "divided by the SQLite one: above 1 is faster for rates, slower or larger for times "
               "and memory):")
    out.append("")
    header = ["Benchmark"] + [config_name(cfg) for cfg in configs]
    if SQLITE in configs:
        header += [f"{config_name(cfg)} / SQLite ×1" for cfg in postgres]
    out.append("| " + " | ".join(header) + " |")
    out.append("|---|" + "---:|" * (len(header) - 1))

    def store_row(title, cells):
        """cells: {cfg: (value for the ratio, text)}"""
        row = [title] + [cells[cfg][1] if cfg in cells else "–" for cfg in configs]
        if SQLITE in configs:
            base = cells.get(SQLITE, (None, ""))[0]
            for cfg in postgres:
                value = cells.get(cfg, (None, ""))[0]
                row.append(f"{value / base:.2f}" if base and value is not None else "–")
        out.append("| " + " | ".join(row) + " |")

    for variant, title in variants.items():
        levels = sorted({c for (cfg, v, c) in acs if v == variant})
        for concurrency in levels:
            cells = {}
            for cfg in configs:
                rows = acs.get((cfg, variant, concurrency))
                if rows:
                    rate = med(rows, "per_second")
                    cells[cfg] = (rate, f"{num(rate)}/s, p99 {med(rows, 'p99_ms'):.1f} ms")
            store_row(f"ACS sign-ins/s, {title}, {concurrency} client(s)", cells)
    rss = {cfg: of_config("acs_rss", cfg) for cfg in configs}
    store_row("ACS peak RSS of a gateway process",
              {cfg: (rows[0]["peak_rss_kib"], f"{rows[0]['peak_rss_kib'] / 1024:.0f} MB")
               for cfg, rows in rss.items() if rows})
    scim = {cfg: scim_medians(cfg) for cfg in configs}
    def scim_row(title, key, field, text):
        store_row(title, {cfg: (m[key][field], text(m[key])) for cfg, m in scim.items() if key in m})
    scim_row("SCIM prefill (one transaction)", "scim_prefill", "seconds", lambda l: f"{l['seconds']:.1f} s")
    for operation in scim_operations:
        scim_row(f"SCIM {operation}", operation, "per_second",
                 lambda l: f"{num(l['per_second'])}/s, p99 {l['p99_ms']:.1f} ms")
    scim_row("SCIM GET the big group", "scim_big_group", "ms", lambda l: f"{l['ms']:.0f} ms")
    scim_row("SCIM Okta-style initial sync", "scim_sync", "seconds", lambda l: f"{l['seconds']:.1f} s")
    scim_row("SCIM peak RSS of a gateway process", "scim_rss", "peak_rss_kib",
             lambda l: f"{l['peak_rss_kib'] / 1024:.0f} MB")
    checked = {}
    for cfg in configs:
        if durability(cfg):
            checked[cfg] = (None, "{} of {}".format(*durability(cfg)))
        elif of_config("scim_durability_skipped", cfg):
            checked[cfg] = (None, "not checked")
    store_row("Acknowledged POST /Users found after kill -9", checked)
    out.append("")
    cores = {cfg: int(rows[0]["cores"]) for (cfg, _, _), rows in acs.items()}
    for cfg in configs:
        if cfg not in cores:
            continue
        if cores[cfg] == 1:
            where = ("the gateway" + (" and the PostgreSQL server" if cfg[0] == "postgresql" else "") +
                     " pinned to CPU 0, the load generator on another CPU")
        else:
            where = (f"nothing pinned: {cfg[1]} gateway processes, the PostgreSQL server and the load "
                     f"generator share all {cores[cfg]} CPUs; each sign-in starts at one process and its "
                     f"Response goes to the next, SCIM requests go to the processes in turn")
        out.append(f"- {config_name(cfg)}: {where}.")
    for line in other.get("scim_durability_skipped", [])[:1]:
        out.append(f"- {line['reason']}.")

# The targets, judged on this run.
out.append("")
out.append("Targets:")
def verdict(ok):
    return "met" if ok else "NOT met"
best_acs = {v: max((med(rows, "per_second_per_core") for (cfg, vv, c), rows in acs.items()
                     if cfg == SQLITE and vv == v), default=0)
            for v in variants}
if fastest_peer["assertion"] and best_acs["assertion"]:
    ratio = best_acs["assertion"] / fastest_peer["assertion"]
    out.append(f"- ACS ≥ 10× the fastest peer (Assertion signed): {ratio:.1f}× — {verdict(ratio >= 10)}")
if floor.get("assertion") and best_acs["assertion"]:
    share = best_acs["assertion"] / floor["assertion"]
    out.append(f"- ACS ≥ 50% of the floor (Assertion signed): {100 * share:.0f}% — {verdict(share >= 0.5)}")
for operation in scim_operations:
    line = sqlite_scim.get(operation)
    if line and operation.startswith("GET Users"):
        out.append(f"- SCIM userName eq p99 < 2 ms: {line['p99_ms']:.2f} ms — {verdict(line['p99_ms'] < 2)}")
    if line and operation == "POST /Users":
        out.append(f"- POST /Users ≥ 3,000/s: {num(line['per_second'])}/s — {verdict(line['per_second'] >= 3000)}")
if durability(SQLITE):
    found, acknowledged = durability(SQLITE)
    out.append(f"- Acknowledged writes durable across kill -9: {verdict(found == acknowledged)} "
               "(SQLite WAL, synchronous=NORMAL)")
if "scim_rss" in sqlite_scim:
    line = sqlite_scim["scim_rss"]
    out.append(f"- Server RSS < 100 MB at {num(line['members'])} members: {line['peak_rss_kib'] / 1024:.0f} MB — "
               f"{verdict(line['peak_rss_kib'] < 100 * 1024)}")
print("\n".join(out))
