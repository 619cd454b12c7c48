"""Peers Spanscope's benchmarks compare against, timed in this process.

    python3 peers.py parse FILE [REPEAT]   # JSON parse of FILE: orjson (GC on/off), json, simdjson
    python3 peers.py rss FILE PARSER       # peak RSS of one parse in a fresh process (prints bytes)
    python3 peers.py lines FILE            # orjson.loads of every line of a JSON Lines file, GC off

Each prints one JSON line. A parser that is not installed is reported as missing, not faked.
"""
import gc
import json
import resource
import sys
import time


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[0] * 1e3, times[len(times) // 2] * 1e3


def parse(path, repeat):
    data = open(path, "rb").read()
    out = {"file": path, "bytes": len(data)}
    try:
        import orjson
        out["orjson_gc_on_ms"] = best_of(lambda: orjson.loads(data), repeat)[0]
        gc.disable()
        out["orjson_gc_off_ms"] = best_of(lambda: orjson.loads(data), repeat)[0]
        gc.enable()
    except ImportError:
        out["orjson"] = "missing"
    out["json_ms"] = best_of(lambda: json.loads(data), max(1, repeat // 2))[0]
    try:
        import simdjson
        parser = simdjson.Parser()
        # Full conversion to Python objects, as the others do (not a lazy document).
        out["simdjson_ms"] = best_of(lambda: parser.parse(data, True), repeat)[0]
    except ImportError:
        out["simdjson"] = "missing"
    print(json.dumps(out))


def rss(path, which):
    data = open(path, "rb").read()
    if which == "orjson":
        import orjson
        gc.disable()
        obj = orjson.loads(data)
    else:
        obj = json.loads(data)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"parser": which, "peak_rss_bytes": peak, "rss_per_file_byte": peak / len(data), "n": len(obj)}))


def lines(path):
    """orjson's bare parse of a JSON Lines file, line by line (memory: one line), GC off."""
    import orjson
    gc.disable()
    size = 0
    n = 0
    t0 = time.perf_counter()
    with open(path, "rb", buffering=16 << 20) as f:
        for line in f:
            size += len(line)
            if line.strip():
                orjson.loads(line)
                n += 1
    ms = (time.perf_counter() - t0) * 1e3
    print(json.dumps({"file": path, "bytes": size, "lines": n, "orjson_lines_ms": ms, "mb_per_s": size / 1e6 / (ms / 1e3)}))


if __name__ == "__main__":
    if sys.argv[1] == "lines":
        lines(sys.argv[2])
    elif sys.argv[1] == "parse":
        parse(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
    elif sys.argv[1] == "rss":
        rss(sys.argv[2], sys.argv[3])


def wall(repeat, commands):
    """Runs shell commands alternately, `repeat` rounds, and prints each one's best and median wall ms."""
    import subprocess
    times = {c: [] for c in commands}
    for _ in range(repeat):
        for c in commands:
            t0 = time.perf_counter()
            subprocess.run(c, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[c].append((time.perf_counter() - t0) * 1e3)
    out = []
    for c in commands:
        t = sorted(times[c])
        out.append({"command": c, "best_ms": t[0], "median_ms": t[len(t) // 2]})
    print(json.dumps(out))


if __name__ == "__main__" and sys.argv[1] == "wall":
    wall(int(sys.argv[2]), sys.argv[3:])
