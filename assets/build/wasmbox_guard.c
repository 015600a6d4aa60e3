/*
 * wasmbox_guard.c - the guard below Python, included by wasmbox_reactor.c.
 *
 * guard_install(), called before the interpreter starts, adds
 *
 *   - a PEP 578 audit hook (PySys_AddAuditHook): Python code cannot remove
 *     or replace it, and it sees every import, open, exec, compile, code and
 *     function construction, frame access and os/subprocess/socket call;
 *   - the built-in module _wasmbox (mark, arm, getattr), through which the
 *     boot (internal/guard/boot.py) marks the user's code objects and arms
 *     the guard, and whose getattr the user's compiled code calls for every
 *     attribute read (see boot.py's transform);
 *   - the attribute check that the wasmbox patch of Objects/object.c calls
 *     from PyObject_GetAttr, PyObject_GetOptionalAttr and
 *     _PyObject_GetMethod, the C getattr under getattr(), str.format fields,
 *     match class patterns and operator.attrgetter/methodcaller (and the
 *     LOAD_ATTR specializer, which then leaves such lookups generic);
 *   - the hook the patch of Python/pythonrun.c calls with the code that
 *     exec/eval compile from a string and run at once.
 *
 * Trust comes from two things Python cannot forge or undo:
 *
 *   - the mark: a co_flags bit (WASMBOX_CO_UNTRUSTED) set on the user's code
 *     objects (and all code nested in them) before they run, and on every
 *     code object that exec/eval runs while user code is on the stack
 *     (typing's forward references, code built by dataclasses or namedtuple
 *     from the user's strings, strings the standard library is made to
 *     run), unless the import system is loading a module from a trusted
 *     directory. Python sees co_flags read-only; the
 *     only way to a code object with other flags is code.__new__ /
 *     code.replace or marshal, which the hook refuses to untrusted callers.
 *     So every unmarked code object is the standard library's (or the boot's,
 *     or a trusted --packages directory's), and its co_filename and co_name
 *     are what they claim;
 *   - the armed flag, a C static set once by _wasmbox.arm and never cleared.
 *
 * Once armed, each audit event is judged by who raised it, read from the
 * interpreter's own frame stack (not from sys._getframe, which the guest
 * could replace):
 *
 *   USER    the innermost Python frame runs marked code: only harmless
 *           events pass (imports of allowed modules, id(), time.sleep,
 *           setting ordinary attributes); everything else, from open and
 *           compile to sys._getframe and os.*, raises PermissionError;
 *   HOST    the host's own program (the eval harness, marked as such by the
 *           boot before arming) is met before any marked frame, and no
 *           marked frame is below it: it may do anything, and the code it
 *           runs with exec (the guest's) is marked;
 *   IMPORT  an import in progress (importlib's _find_and_load) is met before
 *           any marked frame: the import system may read trusted files,
 *           list directories and unmarshal code;
 *   STDLIB  anything else (standard-library code working for the user, or
 *           the boot after the user's code): its own work passes, but not
 *           writes, reads of the standard library mount, os/subprocess/
 *           socket actions, new code objects, or tracing hooks.
 *
 * A frame the guard does not know as the guest's, the host's or the import
 * system's is never trusted for more than the standard library's own work:
 * code that exec/eval runs for the guest is marked, and a callback run with
 * no guest frame on the stack (atexit, finalizers) is judged as STDLIB.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Defined by the wasmbox patch of Objects/object.c. */
extern int (*_Py_wasmbox_getattr_check)(PyObject *, PyObject *);
extern PyCodeObject *_Py_wasmbox_next_code(void **cursor);
extern void (*_Py_wasmbox_run_hook)(PyCodeObject *);

/* Unused co_flags bits (3.13 uses up to 0x2000000): the guest's own code,
 * and the host's program that runs it (the eval harness). */
#define WASMBOX_CO_UNTRUSTED 0x40000000
#define WASMBOX_CO_HOST 0x20000000

enum guard_who { WHO_STDLIB, WHO_USER, WHO_IMPORT, WHO_HOST };

static struct {
    int armed;
    PyObject *policy;       /* str: the policy's name, for messages */
    PyObject *allowed;      /* frozenset of str: importable top-level modules */
    PyObject *refused;      /* frozenset of str: the dangerous modules the policy does not allow */
    PyObject *blocked;      /* frozenset of str: attributes _wasmbox.getattr refuses */
    PyObject *core;         /* frozenset of str: attributes refused at the C level */
    PyObject *dangerous;    /* tuple: objects _wasmbox.getattr never returns */
    PyObject *trusted;      /* tuple of str: directories holding trusted code */
    PyObject *mount;        /* str: the standard library mount, never read by the guest */
} guard;

static int
is_marked(PyCodeObject *co)
{
    return co != NULL && (co->co_flags & WASMBOX_CO_UNTRUSTED) != 0;
}

static int
is_host(PyCodeObject *co)
{
    return co != NULL && (co->co_flags & WASMBOX_CO_HOST) != 0;
}

static void
mark_code_as(PyCodeObject *co, int flag, int depth)
{
    co->co_flags = (co->co_flags & ~(WASMBOX_CO_UNTRUSTED | WASMBOX_CO_HOST)) | flag;
    if (depth > 200 || co->co_consts == NULL) {
        return;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(co->co_consts);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *c = PyTuple_GET_ITEM(co->co_consts, i);
        if (PyCode_Check(c) && (((PyCodeObject *)c)->co_flags & flag) == 0) {
            mark_code_as((PyCodeObject *)c, flag, depth + 1);
        }
    }
}

static void
mark_code(PyCodeObject *co, int depth)
{
    mark_code_as(co, WASMBOX_CO_UNTRUSTED, depth);
}

/* str_is: whether the str object s equals the C string lit. */
static int
str_is(PyObject *s, const char *lit)
{
    return s != NULL && PyUnicode_Check(s) && PyUnicode_CompareWithASCIIString(s, lit) == 0;
}

static int
str_starts(PyObject *s, const char *lit)
{
    if (s == NULL || !PyUnicode_Check(s)) {
        return 0;
    }
    const char *u = PyUnicode_AsUTF8(s);
    if (u == NULL) {
        PyErr_Clear();
        return 0;
    }
    return strncmp(u, lit, strlen(lit)) == 0;
}

/* Unmarked code whose co_filename is importlib's bootstrap. */
static int
is_importlib(PyCodeObject *co)
{
    return !is_marked(co) && str_starts(co->co_filename, "<frozen importlib._bootstrap");
}

/* who judges the current event from the frame stack. With requester set
 * (the import event), importlib's own frames are skipped first, so that the
 * import is judged by the code that asked for it. */
/* no_marked_below: whether no frame after the cursor runs marked code. */
static int
no_marked_below(void *cursor)
{
    PyCodeObject *co;
    while ((co = _Py_wasmbox_next_code(&cursor)) != NULL) {
        if (is_marked(co)) {
            return 0;
        }
    }
    return 1;
}

static enum guard_who
who(int requester)
{
    void *cursor = NULL;
    PyCodeObject *co;
    int first = 1;
    while ((co = _Py_wasmbox_next_code(&cursor)) != NULL) {
        if (requester && is_importlib(co)) {
            continue;
        }
        requester = 0;
        if (is_marked(co)) {
            return first ? WHO_USER : WHO_STDLIB;
        }
        /* The host's program acting for itself, not called by the guest. */
        if (is_host(co)) {
            return no_marked_below(cursor) ? WHO_HOST : WHO_STDLIB;
        }
        first = 0;
        if (str_is(co->co_filename, "<frozen importlib._bootstrap>") &&
            str_is(co->co_name, "_find_and_load")) {
            return WHO_IMPORT;
        }
    }
    return WHO_STDLIB;
}

static int
refuse(const char *event)
{
    PyErr_Format(PyExc_PermissionError,
                 "%s is blocked by the wasmbox %U policy", event, guard.policy);
    return -1;
}

/* path_text returns the absolute, normalised form of an open() path in buf,
 * or 0 when the path is not text (a descriptor number). */
static int
path_text(PyObject *path, char *buf, size_t size)
{
    const char *p = NULL;
    if (PyUnicode_Check(path)) {
        p = PyUnicode_AsUTF8(path);
    }
    else if (PyBytes_Check(path)) {
        p = PyBytes_AS_STRING(path);
    }
    else {
        return 0;
    }
    if (p == NULL) {
        PyErr_Clear();
        return 0;
    }
    char raw[4096];
    raw[0] = '\0';
    if (p[0] != '/') {
        if (getcwd(raw, sizeof raw - 2) == NULL) {
            strcpy(raw, "/");
        }
        strncat(raw, "/", sizeof raw - strlen(raw) - 1);
    }
    strncat(raw, p, sizeof raw - strlen(raw) - 1);
    /* Resolve ".", ".." and repeated slashes. */
    size_t n = 0;
    buf[n++] = '/';
    for (char *seg = raw; *seg;) {
        while (*seg == '/') {
            seg++;
        }
        char *end = seg;
        while (*end && *end != '/') {
            end++;
        }
        size_t len = (size_t)(end - seg);
        if (len == 0 || (len == 1 && seg[0] == '.')) {
        }
        else if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            while (n > 1 && buf[n - 1] != '/') {
                n--;
            }
            if (n > 1) {
                n--;
            }
            while (n > 1 && buf[n - 1] != '/') {
                n--;
            }
        }
        else if (n + len + 2 < size) {
            if (buf[n - 1] != '/') {
                buf[n++] = '/';
            }
            memcpy(buf + n, seg, len);
            n += len;
        }
        seg = end;
    }
    buf[n] = '\0';
    return 1;
}

static int
under(const char *path, PyObject *dir)
{
    const char *d = PyUnicode_AsUTF8(dir);
    if (d == NULL) {
        PyErr_Clear();
        return 0;
    }
    size_t n = strlen(d);
    while (n > 1 && d[n - 1] == '/') {
        n--;
    }
    return strncmp(path, d, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int
trusted_path(const char *path)
{
    Py_ssize_t n = PyTuple_GET_SIZE(guard.trusted);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (under(path, PyTuple_GET_ITEM(guard.trusted, i))) {
            return 1;
        }
    }
    return 0;
}

/* check_open judges the "open" event: (path, mode, flags). */
static int
check_open(enum guard_who w, PyObject *args)
{
    PyObject *path, *mode;
    int flags;
    if (!PyArg_ParseTuple(args, "OOi", &path, &mode, &flags)) {
        PyErr_Clear();
        return refuse("open");
    }
    if (w == WHO_USER) {
        return refuse("open");
    }
    /* wasi-libc's O_RDWR is O_RDONLY | O_WRONLY, and open_code passes 0. */
    int write = (flags & (O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)) != 0 ||
                (flags & O_ACCMODE) == O_RDWR;
    if (PyUnicode_Check(mode)) {
        const char *m = PyUnicode_AsUTF8(mode);
        if (m == NULL || strpbrk(m, "wax+") != NULL) {
            PyErr_Clear();
            write = 1;
        }
    }
    if (write) {
        return refuse("writing a file");
    }
    char abs[4096];
    if (!path_text(path, abs, sizeof abs)) {
        return 0;
    }
    if (under(abs, guard.mount) && !(w == WHO_IMPORT && trusted_path(abs))) {
        return refuse("reading the standard library's files");
    }
    if (w == WHO_IMPORT && !trusted_path(abs)) {
        /* Bytecode outside the trusted directories is the guest's own and
         * could claim any file name: the import system falls back to the
         * source, which is compiled (and marked) as it runs. */
        size_t len = strlen(abs);
        if (len > 4 && strcmp(abs + len - 4, ".pyc") == 0) {
            return refuse("loading bytecode files");
        }
    }
    return 0;
}

/* check_exec marks code run by exec/eval while user code is on the stack,
 * unless the import system runs a trusted module's code. */
static int
check_exec(enum guard_who w, PyObject *args)
{
    PyObject *code;
    if (!PyArg_ParseTuple(args, "O", &code)) {
        PyErr_Clear();
        return 0;
    }
    if (!PyCode_Check(code)) {
        return 0;
    }
    PyCodeObject *co = (PyCodeObject *)code;
    if (is_host(co)) {
        return 0; /* the boot starting the harness */
    }
    if (w == WHO_IMPORT && !is_marked(co)) {
        char abs[4096];
        if (str_starts(co->co_filename, "<frozen ") ||
            (path_text(co->co_filename, abs, sizeof abs) && trusted_path(abs))) {
            return 0;
        }
    }
    mark_code(co, 0);
    return 0;
}

static int
check_import(PyObject *args)
{
    PyObject *name = PyTuple_Check(args) && PyTuple_GET_SIZE(args) > 0 ? PyTuple_GET_ITEM(args, 0) : NULL;
    if (name == NULL || !PyUnicode_Check(name)) {
        return refuse("import");
    }
    if (who(1) != WHO_USER) {
        return 0;
    }
    Py_ssize_t dot = PyUnicode_FindChar(name, '.', 0, PyUnicode_GET_LENGTH(name), 1);
    PyObject *top = dot >= 0 ? PyUnicode_Substring(name, 0, dot) : Py_NewRef(name);
    if (top == NULL) {
        return -1;
    }
    int ok = PySet_Contains(guard.allowed, top);
    Py_DECREF(top);
    if (ok < 0) {
        return -1;
    }
    if (!ok) {
        PyErr_Format(PyExc_ModuleNotFoundError,
                     "import of %R is blocked by the wasmbox %U policy", name, guard.policy);
        return -1;
    }
    return 0;
}

/* Events user code may raise itself. */
static const char *const user_events[] = {
    "builtins.id", "time.sleep", "array.__new__", "sys.excepthook",
    "sys.unraisablehook", NULL,
};

/* Events refused to the standard library working for the user (prefixes
 * end in '.'), except os.listdir/os.scandir/marshal.loads while importing. */
static const char *const stdlib_refused[] = {
    "os.", "subprocess.", "socket.", "ctypes.", "shutil.", "tempfile.",
    "glob.", "sqlite3.", "webbrowser.", "urllib.", "http.", "ftplib.",
    "smtplib.", "imaplib.", "poplib.", "nntplib.", "telnetlib.", "pdb",
    "code.__new__", "marshal.", "pickle.find_class", "builtins.input",
    "sys.settrace", "sys.setprofile", "sys.addaudithook", "sys._current_frames",
    "sys._current_exceptions", "sys.remote_exec", "setopencodehook",
    "gc.get_objects", "gc.get_referrers", "gc.get_referents",
    "cpython.remote_debugger_script", "_posixsubprocess.", "resource.",
    "fcntl.", "mmap.", "signal.", "syslog.", "msvcrt.", "winreg.", "_winapi.",
    NULL,
};

static int
matches(const char *event, const char *const *list)
{
    for (; *list; list++) {
        size_t n = strlen(*list);
        if ((*list)[n - 1] == '.' ? strncmp(event, *list, n) == 0 : strcmp(event, *list) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Attribute names code may not set or delete on any object. */
static int
protected_name(PyObject *name)
{
    return str_is(name, "__code__") || str_is(name, "__class__") ||
           str_is(name, "__bases__") || str_is(name, "__globals__") ||
           str_is(name, "__builtins__") || str_is(name, "__closure__") ||
           str_is(name, "__defaults__") || str_is(name, "__kwdefaults__");
}

/* run_hook marks code that exec/eval compiles from a string and runs at
 * once (no exec event names it), on the same terms as check_exec. */
static void
run_hook(PyCodeObject *co)
{
    if (!guard.armed) {
        return;
    }
    enum guard_who w = who(0);
    if (w != WHO_IMPORT && w != WHO_HOST) {
        mark_code(co, 0);
    }
}

static int
guard_hook(const char *event, PyObject *args, void *data)
{
    (void)data;
    if (!guard.armed) {
        return 0;
    }
    if (strcmp(event, "import") == 0) {
        return check_import(args);
    }
    enum guard_who w = who(0);
    if (w == WHO_HOST) {
        /* The harness runs the guest's code with exec: that code is marked. */
        return strcmp(event, "exec") == 0 ? check_exec(w, args) : 0;
    }
    if (strcmp(event, "open") == 0) {
        return check_open(w, args);
    }
    if (strcmp(event, "exec") == 0) {
        if (w == WHO_USER) {
            return refuse("exec");
        }
        return check_exec(w, args);
    }
    if (strcmp(event, "object.__setattr__") == 0 || strcmp(event, "object.__delattr__") == 0) {
        PyObject *obj, *name, *value = NULL;
        if (PyArg_ParseTuple(args, "OO|O", &obj, &name, &value) && protected_name(name) && w != WHO_IMPORT) {
            return refuse(event);
        }
        PyErr_Clear();
        return 0;
    }
    if (w == WHO_USER) {
        return matches(event, user_events) ? 0 : refuse(event);
    }
    if (w == WHO_IMPORT && (strcmp(event, "os.listdir") == 0 || strcmp(event, "os.scandir") == 0 ||
                            strcmp(event, "marshal.loads") == 0)) {
        return 0;
    }
    if (strcmp(event, "os.chdir") == 0) {
        return 0; /* contextlib.chdir; paths are judged where they are opened */
    }
    return matches(event, stdlib_refused) ? refuse(event) : 0;
}

/* The module's exceptions name the attribute and the policy. */
static PyObject *
attr_error(PyObject *name)
{
    PyErr_Format(PyExc_AttributeError, "attribute %R is blocked by the wasmbox %U policy",
                 name, guard.policy);
    return NULL;
}

/* module_refused: whether a module is on the dangerous list, or private,
 * and not allowed by the policy: neither it nor its attributes are handed to
 * untrusted code by _wasmbox.getattr. */
static int
module_refused(PyObject *mod)
{
    const char *name = PyModule_GetName(mod);
    if (name == NULL) {
        PyErr_Clear();
        return 1;
    }
    const char *dot = strchr(name, '.');
    PyObject *top = PyUnicode_FromStringAndSize(name, dot ? dot - name : (Py_ssize_t)strlen(name));
    if (top == NULL) {
        PyErr_Clear();
        return 1;
    }
    int allowed = PySet_Contains(guard.allowed, top);
    int refused = allowed == 0 && (name[0] == '_' || PySet_Contains(guard.refused, top) != 0);
    Py_DECREF(top);
    PyErr_Clear();
    return allowed < 0 || refused;
}

/* core_name: whether untrusted code may not read the attribute name through
 * any path, the interpreter's C lookups included. */
static int
core_name(PyObject *name)
{
    int r = PySet_Contains(guard.core, name);
    if (r < 0) {
        PyErr_Clear();
        return 1;
    }
    return r;
}

/* getattr_check is called by the patched PyObject_GetAttr & co. before the
 * lookup: -1 with AttributeError set refuses it. */
static int
getattr_check(PyObject *obj, PyObject *name)
{
    if (!PyUnicode_Check(name) || PyUnicode_GET_LENGTH(name) < 2) {
        return 0;
    }
    Py_UCS4 c0 = PyUnicode_READ_CHAR(name, 0);
    if (c0 != '_' && c0 != 'f' && c0 != 't' && c0 != 'g' && c0 != 'c' && c0 != 'a') {
        return 0;
    }
    if (!core_name(name)) {
        return 0;
    }
    void *cursor = NULL;
    if (!is_marked(_Py_wasmbox_next_code(&cursor))) {
        return 0;
    }
    attr_error(name);
    return -1;
}

/* value_refused: whether _wasmbox.getattr must not hand out value. */
static int
value_refused(PyObject *value)
{
    if (PyModule_Check(value)) {
        return module_refused(value);
    }
    if (PyCode_Check(value) || PyFrame_Check(value)) {
        return 1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(guard.dangerous);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyTuple_GET_ITEM(guard.dangerous, i) == value) {
            return 1;
        }
    }
    return 0;
}

PyDoc_STRVAR(guard_getattr_doc,
"getattr(object, name[, default]) -> value\n\n"
"getattr under the wasmbox policy: blocked names, attributes of modules the\n"
"policy does not allow, and values such as those modules, code objects and\n"
"frames are refused with AttributeError.");

static PyObject *
guard_getattr(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 2 && nargs != 3) {
        PyErr_Format(PyExc_TypeError, "getattr expected 2 or 3 arguments, got %zd", nargs);
        return NULL;
    }
    PyObject *obj = args[0], *name = args[1];
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "attribute name must be string, not '%.200s'",
                     Py_TYPE(name)->tp_name);
        return NULL;
    }
    /* An exact str, so that a subclass cannot fake its hash or equality. */
    PyObject *exact = PyUnicode_FromObject(name);
    if (exact == NULL) {
        return NULL;
    }
    PyObject *value = NULL;
    int refused = 0, found = 0;
    if (guard.armed) {
        refused = PySet_Contains(guard.blocked, exact);
        if (refused < 0) {
            Py_DECREF(exact);
            return NULL;
        }
        refused = refused || core_name(exact) ||
                  (str_is(exact, "__dict__") && (PyModule_Check(obj) || PyType_Check(obj))) ||
                  (PyModule_Check(obj) && module_refused(obj));
    }
    if (!refused) {
        found = nargs == 3 ? PyObject_GetOptionalAttr(obj, exact, &value) : 0;
        if (nargs == 2) {
            value = PyObject_GetAttr(obj, exact);
            found = value == NULL ? -1 : 1;
        }
        if (found < 0) {
            Py_DECREF(exact);
            return NULL;
        }
        if (found && guard.armed && value_refused(value)) {
            Py_CLEAR(value);
            refused = 1;
        }
    }
    if (refused && nargs == 2) {
        attr_error(exact);
        Py_DECREF(exact);
        return NULL;
    }
    Py_DECREF(exact);
    if (refused || !found) {
        return Py_NewRef(args[2]); /* missing or refused, with a default */
    }
    return value;
}

PyDoc_STRVAR(guard_mark_doc,
"mark(code, host=False)\n\nMark a code object, and the code objects nested in it,\n"
"as the guest's own: untrusted, whatever its file name says. With host\n"
"true (only before the guard is armed), as the host's program instead,\n"
"which may do anything while the guest's code is not on the stack.");

static PyObject *
guard_mark(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *code;
    int host = 0;
    if (!PyArg_ParseTuple(args, "O!|p:mark", &PyCode_Type, &code, &host)) {
        return NULL;
    }
    if (host && guard.armed) {
        PyErr_SetString(PyExc_PermissionError, "the wasmbox guard is armed");
        return NULL;
    }
    mark_code_as((PyCodeObject *)code, host ? WASMBOX_CO_HOST : WASMBOX_CO_UNTRUSTED, 0);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(guard_arm_doc,
"arm(policy, allowed, blocked, core, refused, dangerous, trusted, mount)\n\n"
"Arm the guard, once: from then on audit events and attribute reads are\n"
"judged under the policy. It cannot be disarmed.");

static PyObject *
frozen(PyObject *items)
{
    return PyFrozenSet_New(items);
}

static PyObject *
guard_arm(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *policy, *allowed, *blocked, *core, *refused, *dangerous, *trusted, *mount;
    if (guard.armed) {
        PyErr_SetString(PyExc_PermissionError, "the wasmbox guard is already armed");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "UOOOOO!O!U:arm", &policy, &allowed, &blocked, &core, &refused,
                          &PyTuple_Type, &dangerous, &PyTuple_Type, &trusted, &mount)) {
        return NULL;
    }
    guard.policy = Py_NewRef(policy);
    guard.allowed = frozen(allowed);
    guard.blocked = frozen(blocked);
    guard.core = frozen(core);
    guard.refused = frozen(refused);
    guard.dangerous = Py_NewRef(dangerous);
    guard.trusted = Py_NewRef(trusted);
    guard.mount = Py_NewRef(mount);
    if (guard.allowed == NULL || guard.blocked == NULL || guard.core == NULL || guard.refused == NULL) {
        return NULL;
    }
    guard.armed = 1;
    _Py_wasmbox_getattr_check = getattr_check;
    _Py_wasmbox_run_hook = run_hook;
    Py_RETURN_NONE;
}

static PyMethodDef guard_methods[] = {
    {"getattr", _PyCFunction_CAST(guard_getattr), METH_FASTCALL, guard_getattr_doc},
    {"mark", guard_mark, METH_VARARGS, guard_mark_doc},
    {"arm", guard_arm, METH_VARARGS, guard_arm_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef guard_module = {
    PyModuleDef_HEAD_INIT, "_wasmbox",
    "The wasmbox guard's C side (see assets/build/wasmbox_guard.c).", -1, guard_methods,
};

static PyObject *
guard_module_init(void)
{
    PyObject *m = PyModule_Create(&guard_module);
    if (m != NULL && (PyModule_AddIntConstant(m, "UNTRUSTED", WASMBOX_CO_UNTRUSTED) < 0 ||
                      PyModule_AddIntConstant(m, "HOST", WASMBOX_CO_HOST) < 0)) {
        Py_CLEAR(m);
    }
    return m;
}

/* guard_install runs before the interpreter is initialised. */
static void
guard_install(void)
{
    if (PyImport_AppendInittab("_wasmbox", guard_module_init) < 0 ||
        PySys_AddAuditHook(guard_hook, NULL) < 0) {
        fprintf(stderr, "wasmbox: cannot install the guard\n");
        exit(120);
    }
}
