"""Builds the Python plugin's archive (run by build.sh with the build's own
Python, not inside the plugin).

    archive.py --stdlib DIR --trace LOG --plugin DIR --out FILE.zip

The zip (stored with --stored, as build.sh makes it) holds, with fixed
dates and in name order (the same inputs give the
same bytes):

    python3.11/...   every file of the standard library (DIR) that the trace
                     names: the module files the initialiser loaded, as the
                     reactor logged them (`wasmi-python-module /lib/...`)
    plugin/...       every file of the plugin directory (the kit, the plugin)

Next to each .py goes its bytecode, ``__pycache__/NAME.cpython-311.pyc``
(unchecked-hash pycs, so no timestamps), when this Python is 3.11 like the
plugin's: CPython then loads modules without compiling them, which roughly
halves the initialiser's time and keeps the snapshot's memory smaller (the
compiler's peak use stays out of it). Another Python version only gives the
sources (a warning says so).
"""

import argparse
import importlib.util
import io
import os
import py_compile
import sys
import tempfile
import zipfile

TRACE_PREFIX = "wasmi-python-module /lib/"
STDLIB = "python3.11/"
DATE = (1980, 1, 1, 0, 0, 0)


def traced_files(log_path):
    """The stdlib files (relative to /lib) the trace names."""
    files = set()
    with open(log_path, encoding="utf-8", errors="replace") as log:
        for line in log:
            at = line.find(TRACE_PREFIX)
            if at >= 0:
                path = line[at + len(TRACE_PREFIX) :].strip()
                if path.startswith(STDLIB):
                    files.add(path[len(STDLIB) :])
    if not files:
        sys.exit(f"archive.py: the trace {log_path} names no module of the standard library")
    return files


def bytecode(source_path, name):
    """The pyc of a source, or None if this Python cannot make one for 3.11."""
    if sys.version_info[:2] != (3, 11):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.pyc")
        py_compile.compile(
            source_path,
            cfile=out,
            dfile="/lib/" + name,
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        with open(out, "rb") as f:
            return f.read()


def add(zf, name, data, compression):
    info = zipfile.ZipInfo(name, DATE)
    info.compress_type = compression
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stdlib", required=True, help="the standard library (lib/python3.11)")
    parser.add_argument("--trace", required=True, help="the trace run's log")
    parser.add_argument("--plugin", required=True, help="the plugin's directory")
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--stored",
        action="store_true",
        help="no compression: loads about 30 times faster (0.2 ms against 6 ms for the "
        "example's archive), for about 3 times the bytes, which an app's or a page's "
        "own compression takes back",
    )
    args = parser.parse_args()
    compression = zipfile.ZIP_STORED if args.stored else zipfile.ZIP_DEFLATED

    entries = {}
    for rel in sorted(traced_files(args.trace)):
        entries[STDLIB + rel] = os.path.join(args.stdlib, rel)
    for base, dirs, names in os.walk(args.plugin):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in names:
            path = os.path.join(base, name)
            entries["plugin/" + os.path.relpath(path, args.plugin).replace(os.sep, "/")] = path

    if sys.version_info[:2] != (3, 11):
        print(
            f"archive.py: Python {sys.version_info[0]}.{sys.version_info[1]} cannot compile for "
            "CPython 3.11: the archive holds sources only (the initialiser compiles them)",
            file=sys.stderr,
        )
    files = {}
    for name, path in entries.items():
        with open(path, "rb") as f:
            files[name] = f.read()
        if name.endswith(".py"):
            pyc = bytecode(path, name)
            if pyc is not None:
                folder, file = name.rsplit("/", 1)
                cached = importlib.util.cache_from_source(file).replace(
                    sys.implementation.cache_tag, "cpython-311"
                )
                files[f"{folder}/{cached}"] = pyc

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in sorted(files):
            add(zf, name, files[name], compression)
    with open(args.out, "wb") as f:
        f.write(buffer.getvalue())


if __name__ == "__main__":
    main()
