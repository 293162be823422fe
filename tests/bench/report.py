"""Turns the JSON lines the bench programs print into the Markdown report scripts/bench
shows: the machine, one table of medians with ratios, and the issue's targets.
Usage: python3 report.py RESULTS.jsonl MACHINE.json"""
import json
import statistics
import sys
from collections import defaultdict

lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
machine = json.load(open(sys.argv[2]))

acs = defaultdict(list)  # (variant, concurrency) -> result lines
peers = {}  # (peer, variant) -> per_second
floor = {}
other = defaultdict(list)
for line in lines:
    kind = line["bench"]
    if kind == "acs":
        acs[(line["variant"], int(line["concurrency"]))].append(line)
    elif kind == "peer":
        peers[(line["peer"], line["variant"])] = line["per_second"]
    elif kind == "floor":
        floor[line["variant"]] = line["per_second"]
    else:
        other[kind].append(line)

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
    for (v, concurrency), rows in sorted(acs.items()):
        if v != variant:
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
for line in other.get("acs_rss", []):
    out.append(f"| Server peak RSS, ACS runs | {line['peak_rss_kib'] / 1024:.0f} MB | | | | |")
for line in other.get("scim_prefill", []):
    out.append(f"| SCIM prefill {num(line['members'])} members + {num(line['teams'])} teams (one transaction) | "
               f"{line['seconds']:.1f} s | | | | |")
for line in other.get("scim", []):
    out.append(f"| SCIM {line['operation']} ({int(line['concurrency'])} clients, {num(line['count'])} requests) | "
               f"{num(line['per_second'])} req/s | {line['p50_ms']:.2f} | {line['p99_ms']:.2f} | | |")
for line in other.get("scim_big_group", []):
    out.append(f"| SCIM GET a group of {num(line['members'])} members | {line['ms']:.0f} ms | | | | |")
for line in other.get("scim_sync", []):
    out.append(f"| SCIM Okta-style initial sync, {num(line['users'])} users + {num(line['groups'])} groups | "
               f"{line['seconds']:.1f} s | | | | |")
for line in other.get("scim_durability", []):
    out.append(f"| Acknowledged POST /Users found after kill -9 | {int(line['found_after_kill'])} of "
               f"{int(line['acknowledged'])} | | | | |")
for line in other.get("scim_rss", []):
    out.append(f"| Server peak RSS, SCIM runs at {num(line['members'])} members | {line['peak_rss_kib'] / 1024:.0f} MB | | | | |")

# The targets, judged on this run.
out.append("")
out.append("Targets:")
def verdict(ok):
    return "met" if ok else "NOT met"
best_acs = {v: max((med(rows, "per_second_per_core") for (vv, c), rows in acs.items() if vv == v), default=0)
            for v in variants}
if fastest_peer["assertion"] and best_acs["assertion"]:
    ratio = best_acs["assertion"] / fastest_peer["assertion"]
    out.append(f"- ACS ≥ 10× the fastest peer (Assertion signed): {ratio:.1f}× — {verdict(ratio >= 10)}")
if floor.get("assertion") and best_acs["assertion"]:
    share = best_acs["assertion"] / floor["assertion"]
    out.append(f"- ACS ≥ 50% of the floor (Assertion signed): {100 * share:.0f}% — {verdict(share >= 0.5)}")
for line in other.get("scim", []):
    if line["operation"].startswith("GET Users"):
        out.append(f"- SCIM userName eq p99 < 2 ms: {line['p99_ms']:.2f} ms — {verdict(line['p99_ms'] < 2)}")
    if line["operation"] == "POST /Users":
        out.append(f"- POST /Users ≥ 3,000/s: {num(line['per_second'])}/s — {verdict(line['per_second'] >= 3000)}")
for line in other.get("scim_durability", []):
    ok = line["found_after_kill"] == line["acknowledged"]
    out.append(f"- Acknowledged writes durable across kill -9: {verdict(ok)} (SQLite WAL, synchronous=NORMAL)")
for line in other.get("scim_rss", []):
    out.append(f"- Server RSS < 100 MB at {num(line['members'])} members: {line['peak_rss_kib'] / 1024:.0f} MB — "
               f"{verdict(line['peak_rss_kib'] < 100 * 1024)}")
print("\n".join(out))
