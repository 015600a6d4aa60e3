/*
 * wasmbox_reactor.c - entry points of the wasmbox CPython reactor module.
 *
 * Linked in place of Programs/python.o with -mexec-model=reactor: the module
 * exports _initialize (wasi-libc's crt1-reactor: runs the C constructors and
 * nothing else) and the three functions below. All take no arguments; argv
 * and the environment come from WASI (args_get / environ_get).
 *
 *   wasmbox_main  the python3 program: Py_BytesMain(argc, argv), then
 *                 exit(status), so the host sees proc_exit(status).
 *   wasmbox_init  initialise the interpreter as `python3 ARGV` would, run the
 *                 -c CODE (if any) in __main__ and return without finalising:
 *                 0 = CODE ran, 1 = CODE raised (traceback on stderr).
 *                 Nothing stays on the wasm stack after it returns, so the
 *                 host may snapshot linear memory here.
 *   wasmbox_run   run `__wasmbox_run__()` in __main__: 0 = ok, 1 = raised.
 *
 * SystemExit raised by CODE or __wasmbox_run__ exits the process as CPython
 * normally does (Py_Exit -> proc_exit(code)).
 *
 * Both entry points that start the interpreter first install the guard
 * (wasmbox_guard.c): a PEP 578 audit hook, which Python code can neither
 * remove nor replace, and the built-in module _wasmbox.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

#include "Python.h"

#include "wasmbox_guard.c"

#define EXPORT(name) __attribute__((export_name(name)))

/* argv from WASI. The strings are allocated once and never freed: the
 * interpreter keeps its own copies, but a leak of a few bytes per process is
 * harmless and keeps the code simple. */
static int
wasi_argv(int *pargc, char ***pargv)
{
    __wasi_size_t argc = 0, bufsize = 0;
    if (__wasi_args_sizes_get(&argc, &bufsize) != __WASI_ERRNO_SUCCESS) {
        return -1;
    }
    char **argv = calloc((size_t)argc + 1, sizeof(char *));
    uint8_t *buf = malloc(bufsize ? bufsize : 1);
    if (argv == NULL || buf == NULL) {
        free(argv);
        free(buf);
        return -1;
    }
    if (argc > 0 &&
        __wasi_args_get((uint8_t **)argv, buf) != __WASI_ERRNO_SUCCESS) {
        free(argv);
        free(buf);
        return -1;
    }
    argv[argc] = NULL;
    *pargc = (int)argc;
    *pargv = argv;
    return 0;
}

/* Flush sys.stdout/sys.stderr (as Py_FinalizeEx does), so that no output
 * is left in a buffer in linear memory when the host snapshots it. */
static void
flush_std_files(void)
{
    PyObject *exc = PyErr_GetRaisedException();
    static const char *const names[] = {"stdout", "stderr"};
    for (size_t i = 0; i < 2; i++) {
        PyObject *f = PySys_GetObject(names[i]); /* borrowed */
        if (f != NULL && f != Py_None) {
            PyObject *r = PyObject_CallMethod(f, "flush", NULL);
            if (r == NULL) {
                PyErr_Clear();
            }
            else {
                Py_DECREF(r);
            }
        }
    }
    PyErr_SetRaisedException(exc);
    fflush(stdout);
    fflush(stderr);
}

/* Run UTF-8 source in __main__ the way `python3 -c` does (PyCF_IGNORE_COOKIE,
 * errors printed, SystemExit exits). Returns 0 on success, 1 on exception. */
static int32_t
run_source(const char *source)
{
    PyCompilerFlags cf = _PyCompilerFlags_INIT;
    cf.cf_flags |= PyCF_IGNORE_COOKIE;
    int ret = PyRun_SimpleStringFlags(source, &cf);
    flush_std_files();
    return ret == 0 ? 0 : 1;
}

EXPORT("wasmbox_main")
int32_t
wasmbox_main(void)
{
    int argc;
    char **argv;
    if (wasi_argv(&argc, &argv) < 0) {
        fprintf(stderr, "wasmbox_main: cannot read the WASI argv\n");
        exit(120);
    }
    guard_install();
    int status = Py_BytesMain(argc, argv);
    exit(status);
}

EXPORT("wasmbox_init")
int32_t
wasmbox_init(void)
{
    int argc;
    char **argv;
    if (wasi_argv(&argc, &argv) < 0) {
        fprintf(stderr, "wasmbox_init: cannot read the WASI argv\n");
        exit(120);
    }

    guard_install();
    PyStatus status;
    PyConfig config;
    PyConfig_InitPythonConfig(&config);

    status = PyConfig_SetBytesArgv(&config, argc, argv);
    if (PyStatus_Exception(status)) {
        goto fail;
    }
    /* Parse the command line now (parse_argv becomes 2, so
     * Py_InitializeFromConfig does not parse it again) to learn -c CODE. */
    status = PyConfig_Read(&config);
    if (PyStatus_Exception(status)) {
        goto fail;
    }
    status = Py_InitializeFromConfig(&config);
    if (PyStatus_Exception(status)) {
        goto fail;
    }

    int32_t result = 0;
    if (config.run_command != NULL) {
        PyObject *unicode = PyUnicode_FromWideChar(config.run_command, -1);
        PyObject *bytes = NULL;
        if (unicode != NULL &&
            PySys_Audit("cpython.run_command", "O", unicode) >= 0) {
            bytes = PyUnicode_AsUTF8String(unicode);
        }
        Py_XDECREF(unicode);
        if (bytes == NULL) {
            PyErr_Print();
            flush_std_files();
            result = 1;
        }
        else {
            result = run_source(PyBytes_AS_STRING(bytes));
            Py_DECREF(bytes);
        }
    }
    else {
        flush_std_files();
    }
    PyConfig_Clear(&config);
    return result;

fail:
    PyConfig_Clear(&config);
    Py_ExitStatusException(status); /* exit(code) for an exit status */
}

EXPORT("wasmbox_run")
int32_t
wasmbox_run(void)
{
    return run_source("__wasmbox_run__()\n");
}
