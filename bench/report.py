#!/usr/bin/env python3
"""Turns the benchmarks' rows into bench/results/results.md and latency_vs_size.png (through gnuplot).

Usage: python3 bench/report.py RAW_DIR RESULTS_DIR
RAW_DIR holds cpp.tsv (observees_bench), python.tsv (python_bench.py), memory.tsv (callgrind counts, from
scripts/bench), flood.tsv (bench/password_flood.sh) and wrk-ROUTE-C.txt (wrk --latency).
"""
import glob
import os
import re
import subprocess
import sys

OPS = ["list", "show", "add", "remove", "redeem"]


def load(path):
    rows = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 4:
                    section, name, key, value = parts
                    rows[(section, name, key)] = float(value)
    return rows


def wrk_ms(text):
    """wrk prints latencies as 512.00us, 1.20ms or 1.01s."""
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def parse_wrk(path):
    text = open(path).read()
    out = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(m.group(1)) if m else 0.0
    for pct in ("50", "99"):
        m = re.search(r"^\s+%s%%\s+(\S+)" % pct, text, re.M)
        out["p" + pct] = wrk_ms(m.group(1)) if m else 0.0
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non2xx"] = int(m.group(1)) if m else 0
    return out


def main():
    raw_dir, results_dir = sys.argv[1], sys.argv[2]
    os.makedirs(results_dir, exist_ok=True)
    rows = load(os.path.join(raw_dir, "cpp.tsv"))
    rows.update(load(os.path.join(raw_dir, "python.tsv")))
    rows.update(load(os.path.join(raw_dir, "memory.tsv")))
    rows.update(load(os.path.join(raw_dir, "flood.tsv")))
    rows.update(load(os.path.join(raw_dir, "http.tsv")))
    get = lambda section, name, key: rows.get((section, name, key))  # noqa: E731
    md = ["# observees benchmarks", "",
          "Produced by `scripts/bench`. Times in microseconds. Each figure is measured in R runs of K calls; "
          "`min / median / max` is the spread of the run medians (the noise), p50/p99 are over every call.", ""]

    for when in ("start", "end"):
        noise = [get("noise", when, k) for k in ("min_us", "median_us", "max_us")]
        if all(v is not None for v in noise):
            md += ["Machine noise at the %s (the same fixed CPU loop timed 15 times): min / median / max = "
                   "%.0f / %.0f / %.0f us (max/min %.2f)." % (when, noise[0], noise[1], noise[2], noise[2] / noise[0]),
                   ""]

    md += ["## Overhead against raw SQLite, and through the C ABI, the REST router and Python", "",
           "Raw = the statements the service runs for the operation (src/sqlite/), prepared once on one "
           "connection to the same file, in the same run. The other faces are ratios to the direct C++ call.", "",
           "| operation | raw SQLite p50 | service p50 (min / med / max of runs) | service / raw | C ABI / C++ "
           "| REST router / C++ | Python / C++ |", "|---|---|---|---|---|---|---|"]
    for op in OPS:
        service = get("overhead", op + "/service", "median_us")
        raw = get("overhead", op + "/raw", "median_us")
        if service is None:
            continue

        def ratio(name, section="overhead"):
            value = get(section, name, "median_us")
            return "%.2f× (%.1f)" % (value / service, value) if value else "–"

        md.append("| %s | %.1f | %.1f (%.1f / %.1f / %.1f) | **%.2f×** | %s | %s | %s |" % (
            op, raw, service, get("overhead", op + "/service", "min_us"), service,
            get("overhead", op + "/service", "max_us"), service / raw, ratio(op + "/capi"), ratio(op + "/rest"),
            ratio(op + "/python", "python")))

    if get("python", "list_ctypes/python", "median_us") is not None:
        md += ["", "## Python: the module against the bare ctypes call it wraps", "",
               "bench/python_bench.py, the faces of each operation taking turns in every run. Bare = the same C "
               "function with the same arguments through ctypes, the answer's bytes read and freed but not decoded; "
               "bare + json.loads decodes them too. Ratios: the median of each run's own. Goal (issue 19): the "
               "module within 1.3× of the bare call.", "",
               "| operation | module p50 (min / med / max of runs) | bare p50 | module / bare | bare + json.loads p50 "
               "| module / (bare + json.loads) |", "|---|---|---|---|---|---|"]
        for op in OPS:
            module = [get("python", op + "/python", key) for key in ("p50_us", "min_us", "median_us", "max_us")]
            bare, decoded = get("python", op + "_ctypes/python", "p50_us"), get("python", op + "_ctypes_json/python",
                                                                               "p50_us")
            ratio, ratio_json = get("python", op + "/python_vs_ctypes", "ratio"), get(
                "python", op + "/python_vs_ctypes_json", "ratio")
            if None in module or None in (bare, decoded, ratio, ratio_json):
                continue
            md.append("| %s | %.1f (%.1f / %.1f / %.1f) | %.1f | **%.2f×** %s | %.1f | %.2f× |" % (
                op, module[0], module[1], module[2], module[3], bare, ratio, "met" if ratio <= 1.3 else "MISSED",
                decoded, ratio_json))

    sizes = sorted({int(name.split("/")[1]) for (section, name, key) in rows if section == "scale"})
    if sizes:
        md += ["", "## Scale: the same operations at %s links" % ", ".join("%d" % s for s in sizes), "",
               "Random observers and students over the whole table (list, show, add, remove); redeem links a "
               "random observer with a fresh code. `largest / smallest` compares p50.", "",
               "| operation | " + " | ".join("%d p50 / p99" % s for s in sizes) + " | largest / smallest |",
               "|---|" + "---|" * (len(sizes) + 1)]
        for op in ["list", "list_raw", "list_hot", "show", "show_raw", "add", "remove", "redeem"]:
            cells, p50s = [], []
            for s in sizes:
                p50 = get("scale", "%s/%d" % (op, s), "p50_us")
                p99 = get("scale", "%s/%d" % (op, s), "p99_us")
                cells.append("%.1f / %.1f" % (p50, p99) if p50 is not None else "–")
                p50s.append(p50)
            growth = "**%.2f×**" % (p50s[-1] / p50s[0]) if p50s[0] and p50s[-1] else "–"
            md.append("| %s | %s | %s |" % (op, " | ".join(cells), growth))
        plans = [(name, key) for (section, name, key) in rows if section == "plan"]
        if plans:
            scans = [name for (name, key) in plans if rows[("plan", name, key)] > 0]
            md += ["", "Query plans (EXPLAIN QUERY PLAN of every statement above): %d statements, %s." % (
                len(plans), "no full-table scan" if not scans else "scans in: " + ", ".join(scans))]
        counted = sorted({int(name.split("/")[1]) for (section, name, key) in rows
                          if section == "memory" and name != "setup"})
        calls, l3 = get("memory", "setup", "calls"), get("memory", "setup", "l3_bytes")
        if len(counted) >= 2 and calls and l3:
            lo, hi = counted[0], counted[-1]
            md += ["", "Per call under callgrind (scripts/bench: %d calls of the scale section's random draws after as "
                   "many uncounted ones, a %.0f MiB L3 simulated, this machine's per lscpu): instructions, and data "
                   "reads and writes that miss the L3." % (calls, l3 / 2**20), "",
                   "| operation | instructions %d / %d | growth | data L3 misses %d / %d | p50 growth |" % (
                       lo, hi, lo, hi), "|---|---|---|---|---|"]
            for op in ["list", "list_raw", "show", "show_raw"]:
                ir = [get("memory", "%s/%d" % (op, n), "ir_per_call") for n in (lo, hi)]
                miss = [get("memory", "%s/%d" % (op, n), "l3_misses_per_call") for n in (lo, hi)]
                p50 = [get("scale", "%s/%d" % (op, n), "p50_us") for n in (lo, hi)]
                if None in ir or None in miss or not ir[0]:
                    continue
                md.append("| %s | %.0f / %.0f | %.2f× | %.1f / %.1f | %s |" % (
                    op, ir[0], ir[1], ir[1] / ir[0], miss[0], miss[1],
                    "%.2f×" % (p50[1] / p50[0]) if None not in p50 and p50[0] else "–"))

    threads = [(t, get("threads", str(t), "ops_per_s")) for t in (1, 2, 4)]
    if threads[0][1]:
        md += ["", "## Concurrency: reads (show and list alternating) on one service", "",
               "Median of 5 rounds; in each round the three take turns at each thread count, their order rotating "
               "from round to round. raw = the same statements, one SQLite connection per thread (SQLite's own "
               "limit); CPU loop = a fixed loop per call touching no shared memory (how much of the cores the "
               "machine gives: not a measure of shared cache or memory bandwidth).", "",
               "| threads | service reads/s | vs 1 thread | raw SQLite reads/s | vs 1 thread | CPU loop calls/s "
               "| vs 1 thread |", "|---|---|---|---|---|---|---|"]
        base = {face: get(face, "1", "ops_per_s") for face in ("threads", "threads_raw", "threads_cpu")}
        for t, _ in threads:
            cells = []
            for face in ("threads", "threads_raw", "threads_cpu"):
                v = get(face, str(t), "ops_per_s")
                cells += ["%.0f" % v, "%.2f×" % (v / base[face])] if v and base[face] else ["–", "–"]
            md.append("| %d | %s |" % (t, " | ".join(cells)))
        scaling = {face: get("threads_scaling", face, "ratio") for face in ("service", "raw", "cpu")}
        if all(scaling.values()):
            md += ["", "1 → 2 threads, the median of each round's own ratio: service **%.2f×**, raw SQLite %.2f×, "
                   "CPU loop %.2f× (service / CPU loop = %.2f)." % (
                       scaling["service"], scaling["raw"], scaling["cpu"], scaling["service"] / scaling["cpu"])]
    if get("postgres", "list/pg", "p50_us") is not None:
        md += ["", "## PostgreSQL: the service on PostgreSQL beside SQLite", "",
               "The overhead section's service calls on the server given by `--postgres` (scripts/bench: a "
               "throwaway local cluster on a Unix socket, fsync off) and on SQLite, each on a fresh store "
               "seeded with the same fixture only, taking turns per operation in the same run.", "",
               "| operation | PG p50 (min / med / max of runs) | SQLite p50 | PG / SQLite |", "|---|---|---|---|"]
        for op in OPS:
            pg = {key: get("postgres", op + "/pg", key) for key in ("p50_us", "min_us", "median_us", "max_us")}
            sqlite = get("postgres", op + "/sqlite", "p50_us")
            md.append("| %s | %.1f (%.1f / %.1f / %.1f) | %.1f | **%.2f×** |" % (
                op, pg["p50_us"], pg["min_us"], pg["median_us"], pg["max_us"], sqlite, pg["p50_us"] / sqlite))
        if get("threads_pg", "1", "ops_per_s"):
            md += ["", "Reads (show and list alternating, median of 5 rounds) on the same two services:", "",
                   "| threads | PG reads/s | SQLite reads/s | PG / SQLite |", "|---|---|---|---|"]
            for t in (1, 2, 4):
                pg, sqlite = get("threads_pg", str(t), "ops_per_s"), get("threads_pg_sqlite", str(t), "ops_per_s")
                md.append("| %d | %.0f | %.0f | %.2f× |" % (t, pg, sqlite, pg / sqlite))
    if get("stall", "during_argon2", "p50_us") is not None:
        md += ["", "## A slow credential check does not stall reads", "",
               "One thread runs CheckPassword (Argon2id, libsodium interactive limits, p50 %.0f ms, %d checks) "
               "while another reads (ShowObservee):" % (get("stall", "check_password", "p50_ms"),
                                                       get("stall", "check_password", "calls")), "",
               "| reads | p50 | p99 | max | calls |", "|---|---|---|---|---|"]
        for name in ("without_argon2", "during_argon2"):
            md.append("| %s | %.1f | %.1f | %.0f | %d |" % (name.replace("_", " "), get("stall", name, "p50_us"),
                                                              get("stall", name, "p99_us"),
                                                              get("stall", name, "max_us"),
                                                              get("stall", name, "calls")))

    wrk = {}
    for path in glob.glob(os.path.join(raw_dir, "wrk-*-*.txt")):
        _, route, connections = os.path.basename(path)[:-4].split("-")
        wrk[(route, int(connections))] = parse_wrk(path)
    if wrk:
        md += ["", "## HTTP: observees-server under wrk on loopback (keep-alive)", "",
               "`observees` = GET /api/v1/users/self/observees?per_page=10 with a bearer token; `trivial` = an "
               "unrouted GET answered 404 by the router before any storage; `nginx` = Debian's nginx answering "
               "`return 200` with 2 workers. 2 serving threads. Latencies in ms; CPU = the server's user + system "
               "time per request, in us.", "",
               "| connections | observees req/s | p50 | p99 | CPU | trivial req/s | p50 | p99 | CPU | nginx req/s | "
               "observees / trivial | nginx / trivial |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for c in sorted({c for (_, c) in wrk}):
            o, t, n = wrk.get(("observees", c), {}), wrk.get(("trivial", c), {}), wrk.get(("nginx", c), {})
            md.append("| %d | %.0f | %.3f | %.3f | %.1f | %.0f | %.3f | %.3f | %.1f | %.0f | %.2f | %.2f |" % (
                c, o.get("rps", 0), o.get("p50", 0), o.get("p99", 0),
                get("http", "observees/%d" % c, "cpu_us_per_request") or 0, t.get("rps", 0), t.get("p50", 0),
                t.get("p99", 0), get("http", "trivial/%d" % c, "cpu_us_per_request") or 0, n.get("rps", 0),
                o.get("rps", 0) / t["rps"] if t.get("rps") else 0, n.get("rps", 0) / t["rps"] if t.get("rps") else 0))
        service = get("overhead", "list/service", "median_us")
        router = get("overhead", "list/rest", "median_us")
        one = wrk.get(("observees", 1))
        if service and router and one:
            md += ["", "Router vs socket for list (1 connection): the router adds %.1f us to the C++ call; "
                   "the socket and HTTP server add %.1f us to the router (p50 %.1f us over HTTP)." % (
                       router - service, one["p50"] * 1000 - router, one["p50"] * 1000)]

    alone, during = get("flood", "read_alone", "p99_us"), get("flood", "read_during", "p99_us")
    if alone and during:
        md += ["", "## HTTP: a plain read during a flood of password checks", "",
               "GET /api/v1/users/self/observees on one connection, alone and while 8 clients send correct-password "
               "linking requests (real Argon2id, run on the hash pool). Goal: p99 during within 2x of p99 alone.", "",
               "| read | p50 us | p99 us |", "|---|---|---|",
               "| alone | %.1f | %.1f |" % (get("flood", "read_alone", "p50_us"), alone),
               "| during the flood | %.1f | %.1f |" % (get("flood", "read_during", "p50_us"), during), "",
               "p99 ratio %.2fx (%s); the flood made %.1f checks/s, %d answered 503." % (
                   during / alone, "met" if during <= 2 * alone else "MISSED",
                   get("flood", "flood", "checks_per_s") or 0, get("flood", "flood", "refused") or 0)]

    # The plot: p50 and p99 against database size, log x.
    if sizes:
        data = os.path.join(raw_dir, "latency.dat")
        with open(data, "w") as f:
            f.write("# size " + " ".join("%s_p50 %s_p99" % (op, op) for op in OPS) + "\n")
            for s in sizes:
                f.write("%d %s\n" % (s, " ".join("%g %g" % (get("scale", "%s/%d" % (op, s), "p50_us") or 0,
                                                            get("scale", "%s/%d" % (op, s), "p99_us") or 0)
                                                 for op in OPS)))
        png = os.path.join(results_dir, "latency_vs_size.png")
        plots = []
        for i, op in enumerate(OPS):
            plots.append("'%s' using 1:%d with linespoints lw 2 lc %d title '%s p50'" % (data, 2 + 2 * i, i + 1, op))
            plots.append("'%s' using 1:%d with linespoints dt 2 lc %d title '%s p99'" % (data, 3 + 2 * i, i + 1, op))
        script = "\n".join([
            "set terminal pngcairo size 1000,650" if has_cairo() else "set terminal png size 1000,650",
            "set output '%s'" % png, "set logscale xy", "set xlabel 'links in the database'",
            "set ylabel 'latency per call (us)'", "set title 'observees: latency against database size'",
            "set key outside right", "set grid", "plot " + ", ".join(plots)])
        try:
            subprocess.run(["gnuplot"], input=script, text=True, check=True)
            md += ["", "![latency against database size](latency_vs_size.png)"]
        except (OSError, subprocess.CalledProcessError) as e:
            print("report.py: gnuplot failed (%s); no plot" % e, file=sys.stderr)

    with open(os.path.join(results_dir, "results.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))


def has_cairo():
    try:
        out = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True).stdout
        out += subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True).stderr
        return "pngcairo" in out
    except OSError:
        return False


if __name__ == "__main__":
    main()
