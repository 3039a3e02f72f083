#!/usr/bin/env python3
"""The same calls as observees_bench's ratio section, from Python through ctypes (the observees package, python/observees).

Usage: OBSERVEES_LIBRARY=.../libobservees_c.so python3 bench/python_bench.py DB OUT.tsv
Appends rows "python<TAB>OP/python<TAB>KEY<TAB>VALUE" (microseconds) for bench/report.py.
"""
import ctypes
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import observees  # noqa: E402

RUNS, READS, WRITES = 5, 400, 150
ADMIN, OBSERVER, ROOT = 5, 10, 1


def measure(call, per_run, setup=None, teardown=None, warmup=20):
    for _ in range(warmup):
        if setup:
            setup()
        call()
        if teardown:
            teardown()
    calls, medians = [], []
    for _ in range(RUNS):
        run = []
        for _ in range(per_run):
            if setup:
                setup()
            start = time.perf_counter()
            call()
            run.append((time.perf_counter() - start) * 1e6)
            if teardown:
                teardown()
        medians.append(statistics.median(run))
        calls.extend(run)
    calls.sort()
    return {"p50_us": calls[len(calls) // 2], "p99_us": calls[min(len(calls) - 1, int(len(calls) * 0.99))],
            "median_us": statistics.median(medians), "min_us": min(medians), "max_us": max(medians)}


def measure_in_turns(faces, per_run, warmup=20):
    """measure() for several faces of one operation, their runs taking turns so drift hits them alike."""
    for call in faces.values():
        for _ in range(warmup):
            call()
    calls = {name: [] for name in faces}
    medians = {name: [] for name in faces}
    for _ in range(RUNS):
        for name, call in faces.items():
            run = []
            for _ in range(per_run):
                start = time.perf_counter()
                call()
                run.append((time.perf_counter() - start) * 1e6)
            medians[name].append(statistics.median(run))
            calls[name].extend(run)
    out = {}
    for name in faces:
        c = sorted(calls[name])
        out[name] = {"p50_us": c[len(c) // 2], "p99_us": c[min(len(c) - 1, int(len(c) * 0.99))],
                     "median_us": statistics.median(medians[name]), "min_us": min(medians[name]),
                     "max_us": max(medians[name])}
    return out


def bare_call(s, name, *args):
    """The C function the module wraps, called through ctypes with nothing around it: the answer's
    bytes are read and freed, not decoded. The module's own cost is the difference."""
    lib = observees._library()
    function = getattr(lib, name)
    handle = s._handle
    out = ctypes.c_void_p()
    ref = ctypes.byref(out)

    def call():
        if function(handle, *args, ref) != 0:
            raise RuntimeError(name + " failed")
        ctypes.string_at(out.value)
        lib.obs_free(out.value)
    return call


def main():
    db, out = sys.argv[1], sys.argv[2]
    results, ratios = {}, {}
    with observees.Service(db, {"password_hashing": "fastest"}) as s:
        for op, module_call, bare in (
                ("list", lambda: s.list_observees(OBSERVER, ROOT, OBSERVER, per_page=10),
                 bare_call(s, "obs_list_observees", OBSERVER, ROOT, OBSERVER, 1, 10, 0)),
                ("show", lambda: s.show_observee(OBSERVER, ROOT, OBSERVER, 20),
                 bare_call(s, "obs_show_observee", OBSERVER, ROOT, OBSERVER, 20))):
            faces = measure_in_turns({op: module_call, op + "_ctypes": bare}, READS)
            results.update(faces)
            ratios[op] = faces[op]["p50_us"] / faces[op + "_ctypes"]["p50_us"]
        add = lambda: s.add_observee_by_id(ADMIN, ROOT, OBSERVER, 36)  # noqa: E731
        remove = lambda: s.remove_observee(ADMIN, ROOT, OBSERVER, 36)  # noqa: E731
        results["add"] = measure(add, WRITES, teardown=remove, warmup=5)
        results["remove"] = measure(remove, WRITES, setup=add, warmup=5)
        code = {}

        def new_code():
            code["c"] = s.create_pairing_code(39, ROOT, 39)["code"]

        results["redeem"] = measure(lambda: s.add_observee(OBSERVER, ROOT, OBSERVER, pairing_code=code["c"]), WRITES,
                                    setup=new_code, teardown=lambda: s.remove_observee(ADMIN, ROOT, OBSERVER, 39),
                                    warmup=5)
    with open(out, "a") as f:
        for op, row in results.items():
            for key, value in row.items():
                f.write("python\t%s/python\t%s\t%.6g\n" % (op, key, value))
            print("  %-34s p50 %9.2f us  p99 %9.2f us  runs min/med/max %8.2f / %8.2f / %8.2f" % (
                op + "/python", row["p50_us"], row["p99_us"], row["min_us"], row["median_us"], row["max_us"]))
        for op, ratio in ratios.items():
            f.write("python\t%s/python_vs_ctypes\tratio\t%.6g\n" % (op, ratio))
            print("  %-34s %.2fx p50 (goal: at most 1.3x)" % (op + " module/bare ctypes", ratio))


if __name__ == "__main__":
    main()
