#!/usr/bin/env python3
"""The same calls as observees_bench's ratio section, from Python: through the observees package
(python/observees) and, beside it, through the bare ctypes call it wraps.

Usage: OBSERVEES_LIBRARY=.../libobservees_c.so python3 bench/python_bench.py DB OUT.tsv
Appends rows "python<TAB>FACE/python<TAB>KEY<TAB>VALUE" (microseconds) for bench/report.py, FACE one of
  OP               the module's call (Service.list_observees, ...): argument checks, the call, the answer
                   decoded to Python objects;
  OP_ctypes        the same C function with the same arguments through ctypes with nothing around it:
                   the answer's bytes copied and freed, not decoded (issue 19's baseline);
  OP_ctypes_json   the same bare call, its answer decoded by json.loads;
and "python<TAB>OP/python_vs_ctypes<TAB>ratio<TAB>R" (and .../python_vs_ctypes_json): the median over the
runs of each run's module / bare ratio, the faces of one operation taking turns in every run.
"""
import ctypes
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import observees  # noqa: E402

RUNS, READS, WRITES = 5, 400, 150
ADMIN, OBSERVER, ROOT = 5, 10, 1
REDEEMER = 39  # a student of the bench's fixture with no link to OBSERVER
GOAL = 1.3  # issue 19: the module within 1.3x of the bare ctypes call


def summary(calls, medians):
    calls = sorted(calls)
    return {"p50_us": calls[len(calls) // 2], "p99_us": calls[min(len(calls) - 1, int(len(calls) * 0.99))],
            "median_us": statistics.median(medians), "min_us": min(medians), "max_us": max(medians)}


def measure_in_turns(faces, per_run, setup=None, teardown=None, warmup=20):
    """Times each face (name: call) per_run times per run, RUNS runs, the faces taking turns in each
    run so that drift hits them alike; setup and teardown (untimed) around every call. Returns each
    face's summary and its run medians."""
    for call in faces.values():
        for _ in range(warmup):
            if setup:
                setup()
            call()
            if teardown:
                teardown()
    calls = {name: [] for name in faces}
    medians = {name: [] for name in faces}
    for _ in range(RUNS):
        for name, call in faces.items():
            run = []
            for _ in range(per_run):
                if setup:
                    setup()
                start = time.perf_counter()
                call()
                run.append((time.perf_counter() - start) * 1e6)
                if teardown:
                    teardown()
            medians[name].append(statistics.median(run))
            calls[name].extend(run)
    return {name: summary(calls[name], medians[name]) for name in faces}, medians


def bare_call(s, name, args, decode=False):
    """The C function the module wraps, called through ctypes with nothing around it: handle, `args` (a
    list a setup may change), the out-parameter. Its own function object, declared with the module's
    argument types but a c_char_p for the char** answer: the cheapest read ctypes has (.value copies the
    text; the same object given to obs_free passes the pointer). The answer is freed; decoded by
    json.loads when `decode`."""
    lib = observees._library()
    function = lib[name]  # a fresh function object, whatever the module did to lib.<name>
    function.restype = ctypes.c_int
    function.argtypes = observees._PROTOTYPES[name][1][:-1] + [ctypes.POINTER(ctypes.c_char_p)]
    free, loads = lib.obs_free, json.loads
    handle = s._handle
    out = ctypes.c_char_p()

    def call():
        if function(handle, *args, out) != 0:
            raise RuntimeError(name + " failed")
        text = out.value
        free(out)
        if decode:
            loads(text)
    return call


def main():
    db, out = sys.argv[1], sys.argv[2]
    # The module's share depends on the interpreter's own speed (a build without PGO runs Python code
    # slower, the C call alike): say which one ran.
    print("  python %s (%s)" % (sys.version.split()[0], sys.executable))
    results, ratios = {}, {}
    with observees.Service(db, {"password_hashing": "fastest"}) as s:
        code = {}

        def new_code():
            code["c"] = s.create_pairing_code(REDEEMER, ROOT, REDEEMER)["code"]
            redeem_args[3] = json.dumps({"pairing_code": code["c"]}).encode()

        redeem_args = [OBSERVER, ROOT, OBSERVER, None, observees.SCOPE_DOMAIN]
        link = lambda: s.add_observee_by_id(ADMIN, ROOT, OBSERVER, 36)  # noqa: E731
        unlink = lambda: s.remove_observee(ADMIN, ROOT, OBSERVER, 36)  # noqa: E731
        # op: (the module's call, the C function, its arguments after the handle, per run, setup, teardown)
        operations = {
            "list": (lambda: s.list_observees(OBSERVER, ROOT, OBSERVER, per_page=10), "obs_list_observees",
                     [OBSERVER, ROOT, OBSERVER, 1, 10, 0], READS, None, None),
            "show": (lambda: s.show_observee(OBSERVER, ROOT, OBSERVER, 20), "obs_show_observee",
                     [OBSERVER, ROOT, OBSERVER, 20], READS, None, None),
            "add": (link, "obs_add_observee_by_id", [ADMIN, ROOT, OBSERVER, 36, observees.SCOPE_DOMAIN], WRITES,
                    None, unlink),
            "remove": (unlink, "obs_remove_observee", [ADMIN, ROOT, OBSERVER, 36, observees.SCOPE_ALL], WRITES,
                       link, None),
            # The bare face gets the request's JSON made in the setup; the module makes it in the call.
            "redeem": (lambda: s.add_observee(OBSERVER, ROOT, OBSERVER, pairing_code=code["c"]), "obs_add_observee",
                       redeem_args, WRITES, new_code, lambda: s.remove_observee(ADMIN, ROOT, OBSERVER, REDEEMER)),
        }
        for op, (module_call, function, args, per_run, setup, teardown) in operations.items():
            faces, medians = measure_in_turns(
                {op: module_call, op + "_ctypes": bare_call(s, function, args),
                 op + "_ctypes_json": bare_call(s, function, args, decode=True)},
                per_run, setup, teardown, warmup=20 if per_run == READS else 5)
            results.update(faces)
            for bare in ("ctypes", "ctypes_json"):
                ratios[op + "/python_vs_" + bare] = statistics.median(
                    m / b for m, b in zip(medians[op], medians[op + "_" + bare]))
    with open(out, "a") as f:
        for face, row in results.items():
            for key, value in row.items():
                f.write("python\t%s/python\t%s\t%.6g\n" % (face, key, value))
            print("  %-34s p50 %9.2f us  p99 %9.2f us  runs min/med/max %8.2f / %8.2f / %8.2f" % (
                face + "/python", row["p50_us"], row["p99_us"], row["min_us"], row["median_us"], row["max_us"]))
        for name, ratio in ratios.items():
            f.write("python\t%s\tratio\t%.6g\n" % (name, ratio))
        for op in operations:
            module, bare = ratios[op + "/python_vs_ctypes"], ratios[op + "/python_vs_ctypes_json"]
            print("  %-34s %.2fx (goal: at most %.1fx: %s); against bare + json.loads %.2fx" % (
                op + " module / bare ctypes", module, GOAL, "met" if module <= GOAL else "MISSED", bare))


if __name__ == "__main__":
    main()
