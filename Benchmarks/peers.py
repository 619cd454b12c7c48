"""Peers Spanscope's benchmarks compare against, timed in this process.

    python peers.py parse FILE REPEAT            # JSON parse of FILE: orjson (GC on/off), json, simdjson
    python peers.py rss FILE PARSER              # peak RSS of one parse in a fresh process
    python peers.py wall REPEAT CMD...           # whole processes, run alternately
    python peers.py versions                     # the interpreter and peer versions
    python peers.py lines FILE                   # orjson.loads of every line of a JSON Lines file, GC off

Each prints one JSON line. A parser that is not installed is reported as missing, not faked;
run.sh treats a missing one as a failure. Every peer gets the same number of runs and its best
is reported, as `spanscope bench-load --repeat N` does for Spanscope. Like bench-load, whose
timer stops before its document is dropped, the parsed result is freed after the timer stops.
"""
import gc
import json
import platform
import resource
import subprocess
import sys
import time


def best_of(fn, repeat):
    """Best wall and best CPU (user + system) milliseconds of `repeat` runs of `fn`."""
    walls, cpus = [], []
    for _ in range(repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        result = fn()
        t1 = time.perf_counter()
        c1 = time.process_time()
        del result  # freed outside the timed part
        walls.append(t1 - t0)
        cpus.append(c1 - c0)
    return min(walls) * 1e3, min(cpus) * 1e3


def parse(path, repeat):
    data = open(path, "rb").read()
    out = {"file": path, "bytes": len(data), "repeat": repeat}

    def timed(name, fn):
        out[name + "_ms"], out[name + "_cpu_ms"] = best_of(fn, repeat)

    try:
        import orjson
        timed("orjson_gc_on", lambda: orjson.loads(data))
        gc.disable()
        timed("orjson_gc_off", lambda: orjson.loads(data))
        gc.enable()
    except ImportError:
        out["orjson"] = "missing"
    timed("json", lambda: json.loads(data))
    try:
        import simdjson
        parser = simdjson.Parser()
        # Full conversion to Python objects, as the others do (not a lazy document).
        timed("simdjson", lambda: parser.parse(data, True))
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


def wall(repeat, commands):
    """Runs shell commands alternately, `repeat` rounds; each one's best wall and best CPU ms
    (user + system of the whole process tree, from the children's resource usage)."""
    walls = {c: [] for c in commands}
    cpus = {c: [] for c in commands}
    for _ in range(repeat):
        for c in commands:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(c, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls[c].append((time.perf_counter() - t0) * 1e3)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[c].append(((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1e3)
    print(json.dumps([{"command": c, "best_ms": min(walls[c]), "best_cpu_ms": min(cpus[c])} for c in commands]))


def versions():
    out = {"python": platform.python_version()}
    for module, name in (("orjson", "orjson"), ("simdjson", "pysimdjson")):
        try:
            from importlib.metadata import version
            __import__(module)
            out[name] = version(name)
        except Exception:
            out[name] = "missing"
    print(json.dumps(out))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "parse":
        parse(sys.argv[2], int(sys.argv[3]))
    elif command == "rss":
        rss(sys.argv[2], sys.argv[3])
    elif command == "wall":
        wall(int(sys.argv[2]), sys.argv[3:])
    elif command == "lines":
        lines(sys.argv[2])
    elif command == "versions":
        versions()
    else:
        sys.exit(f"peers.py: unknown command {command}")
