# wasmbox guest boot: runs user code under the import policy.
#
# Invoked as: python3 -c <this file> <config> <mode> <target> [args...]
# mode "file": target is a script path, run like `python3 target args...`.
# mode "code": target is source text, run like `python3 -c target args...`.
# mode "context": target is a code context's cell runner (runtime/context.py),
# run before the guard is armed: it sets itself up and returns, and the host
# then calls it once per request (see run_context).
# Config keys (see guard.go): policy, allowed (top-level modules),
# blockedModules (the dangerous list; only changes the error wording),
# blockedBuiltins, blockedAttrs, stdlibPrefixes.
#
# Code from files under stdlibPrefixes (and frozen modules) imports freely;
# every other importer (user code, modules it was allowed to import) is held
# to the allowlist by a wrapped builtins.__import__ and a sys.meta_path
# finder. User code runs in a fresh __main__ whose __builtins__ is a trimmed
# dict: blocked builtins removed, getattr & co. refusing blocked attributes.
#
# Below all of that, when the interpreter has the built-in module _wasmbox
# (the wasmbox reactor build, see assets/build/wasmbox_guard.c): the user's
# code is compiled through transform(), which routes every attribute read
# through _wasmbox.getattr, its code objects are marked untrusted, and the
# guard's audit hook is armed before the code runs. From then on the hook,
# not this file, decides what the user's code may do, from marks Python
# cannot forge or remove; the Python layers above only give clearer errors.
import sys


def _wasmbox_boot():
    import builtins
    import os
    import types

    try:
        import _wasmbox
    except ImportError:  # an interpreter without the C guard: Python layers only
        _wasmbox = None

    # The config is KEY=ITEM\x1fITEM... lines (see guard.go), not JSON:
    # the json module would import re, which costs more than all the rest.
    cfg = {}
    for line in sys.argv[1].split("\n"):
        key, _, items = line.partition("=")
        cfg[key] = items.split("\x1f") if items else []
    mode, target, args = sys.argv[2], sys.argv[3], sys.argv[4:]
    policy = cfg["policy"][0]
    enforce = policy != "none"
    allowed = frozenset(cfg["allowed"]) | {"__future__"}  # compiler directives
    allowed_list = ", ".join(cfg["allowed"])
    blocked_modules = frozenset(cfg["blockedModules"])
    blocked_builtins = frozenset(cfg["blockedBuiltins"])
    # blockedAttrs items ending in "!" are refused on every path, C lookups
    # included (see guard.go); the "!" is not part of the name.
    blocked_attrs = frozenset(a.rstrip("!") for a in cfg["blockedAttrs"])
    core_attrs = frozenset(a[:-1] for a in cfg["blockedAttrs"] if a.endswith("!"))
    # Trusted code: the standard library's (and the host's programs'), then
    # the operator's packages', which are library code but never the host.
    host_prefixes = tuple(cfg["stdlibPrefixes"])
    prefixes = host_prefixes + tuple(cfg.get("libraryPrefixes", ()))
    no_file_prefixes = tuple(cfg["noFilePrefixes"])
    mount = host_prefixes[0].rstrip("/").rpartition("/")[0] if host_prefixes else "/usr/local/lib"
    boot_globals = globals()
    user_globals = None  # __main__'s namespace, once made: never trusted unless the host's
    real_import = builtins.__import__
    real_getattr, real_setattr, real_delattr = builtins.getattr, builtins.setattr, builtins.delattr
    module_type = types.ModuleType
    getframe = sys._getframe
    modules = sys.modules

    def blocked(what):
        msg = "import of %r is blocked by the wasmbox %s policy" % (what, policy)
        if what.partition(".")[0] not in blocked_modules:
            msg += " (it allows %s)" % allowed_list
        return ModuleNotFoundError(msg)

    def trusted(frame):
        # Stdlib code: compiled from a file under a stdlib prefix (or frozen)
        # and running in the namespace of a loaded module, so that code
        # compiled with a forged filename in a user namespace does not pass.
        g = frame.f_globals
        if g is boot_globals:
            return True
        if g is user_globals:
            # The program itself: a library file run as the program (a
            # package's module) is the user's code like any other.
            return host
        name = frame.f_code.co_filename
        if not (name.startswith(prefixes) or name.startswith("<frozen ")):
            return False
        module = modules.get(g.get("__name__"))
        return module is not None and real_getattr(module, "__dict__", None) is g

    def check_module(name, level):
        if level:
            raise blocked("." * level + name)
        top = name.partition(".")[0]
        if top not in allowed:
            raise blocked(top)

    def refused_module(value):
        # A module on the dangerous list, or a private one the policy does
        # not allow (_frozen_importlib, _imp, ...): neither it nor its
        # attributes are handed to user code.
        top = value.__name__.partition(".")[0]
        return top not in allowed and (top in blocked_modules or top.startswith("_"))

    def allowed_value(value):
        return not isinstance(value, module_type) or not refused_module(value)

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        if not trusted(getframe(1)):
            # Exact types, so that a str or int subclass cannot pass the
            # check as one module and be looked up as another.
            if type(name) is not str or type(level) is not int:
                raise TypeError("__import__() needs a str name and an int level")
            fromlist = tuple(attr_name(a) for a in fromlist or ())
            check_module(name, level)
            module = real_import(name, globals, locals, fromlist, level)
            for attr in fromlist:
                if attr == "*":
                    continue
                if attr in blocked_attrs or not allowed_value(real_getattr(module, attr, None)):
                    raise blocked(name + "." + attr)
        else:
            module = real_import(name, globals, locals, fromlist, level)
        if not string_patched and hasattr(modules.get("string"), "Formatter"):
            patch_string()  # string has finished loading
        return module

    class ImportGuard:
        """Second line: refuses loading new modules for untrusted importers."""

        @staticmethod
        def find_spec(name, path=None, target=None):
            frame = getframe(1)
            while frame is not None and (frame.f_globals is boot_globals or
                                         frame.f_code.co_filename.startswith("<frozen importlib")):
                frame = frame.f_back
            if frame is not None and not trusted(frame):
                check_module(name, 0)
            return None

    def attr_name(name):
        # An exact str, so that a str subclass cannot fake its hash or equality.
        return str.__str__(name) if isinstance(name, str) else name

    def refuse(obj, name):
        return name in blocked_attrs or (name == "__dict__" and isinstance(obj, (module_type, type)))

    def attr_error(name):
        return AttributeError("attribute %r is blocked by the wasmbox %s policy" % (name, policy))

    def python_getattr(obj, name, *default):
        # The Python form of _wasmbox.getattr, for interpreters without it.
        name = attr_name(name)
        if refuse(obj, name) or not allowed_value(obj):
            raise attr_error(name)
        value = real_getattr(obj, name, *default)
        if not allowed_value(value) or isinstance(value, (types.CodeType, types.FrameType)):
            raise attr_error(name)
        return value

    guarded_getattr = _wasmbox.getattr if _wasmbox else python_getattr

    def guarded_hasattr(obj, name):
        try:
            guarded_getattr(obj, name)
        except AttributeError:
            return False
        return True

    def transform(tree, cls=None):
        # Rewrites the user's syntax tree: every attribute read obj.name
        # becomes __wasmbox_ga__(obj, "name") (name mangled as the compiler
        # would), except a method call obj.name(...) whose name is neither
        # blocked nor a dangerous builtin's (a module, frame or code object
        # is not callable, and the method-call path keeps its speed).
        # Writes and deletes of blocked attributes, class patterns naming
        # them and names of the guard's own (__wasmbox*) are refused.
        t = type(tree)
        if t is ast_name:
            if tree.id.startswith("__wasmbox") or tree.id == "__builtins__":
                refuse_syntax(tree, "the name %r" % tree.id)
            return tree
        if t in ast_binders:
            # Other bindings (def, import as, parameters, global, patterns)
            # of the guard's names.
            for field in ("name", "asname", "arg", "rest", "names"):
                value = real_getattr(tree, field, None)
                for ident in value if type(value) is list else (value,):
                    if type(ident) is str and ident.startswith("__wasmbox"):
                        refuse_syntax(tree, "the name %r" % ident)
        if t is ast_class:
            for field in ("bases", "keywords", "decorator_list", "type_params"):
                setattr(tree, field, [transform(n, cls) for n in getattr(tree, field, ())])
            tree.body = [transform(n, tree.name) for n in tree.body]
            return tree
        if t is ast_match_class:
            for a in tree.kwd_attrs:
                if a in blocked_attrs:
                    refuse_syntax(tree, "the attribute %r" % a)
        if t is ast_call and type(tree.func) is ast_attribute and type(tree.func.ctx) is ast_load \
                and mangle(tree.func.attr, cls) not in risky_attrs:
            tree.func.value = transform(tree.func.value, cls)
            tree.args = [transform(n, cls) for n in tree.args]
            tree.keywords = [transform(n, cls) for n in tree.keywords]
            return tree
        for field in tree._fields:
            value = real_getattr(tree, field, None)
            if type(value) is list:
                for i, item in enumerate(value):
                    if isinstance(item, ast_node):
                        value[i] = transform(item, cls)
            elif isinstance(value, ast_node):
                real_setattr(tree, field, transform(value, cls))
        if t is ast_attribute:
            name = mangle(tree.attr, cls)
            if type(tree.ctx) is ast_load:
                call = ast_call(located(ast_name("__wasmbox_ga__", ast_load()), tree),
                                [tree.value, located(ast_constant(name), tree)], [])
                return located(call, tree)
            if name in blocked_attrs or name.startswith("__wasmbox"):
                refuse_syntax(tree, "the attribute %r" % name)
        return tree

    def mangle(name, cls):
        # Private names in a class body, as the compiler mangles them.
        if cls and name.startswith("__") and not name.endswith("__"):
            stripped = cls.lstrip("_")
            if stripped:
                return "_" + stripped + name
        return name

    def located(node, at):
        node.lineno, node.col_offset = at.lineno, at.col_offset
        node.end_lineno, node.end_col_offset = at.end_lineno, at.end_col_offset
        return node

    def refuse_syntax(node, what):
        raise SyntaxError("%s is blocked by the wasmbox %s policy" % (what, policy),
                          (transformed_file, node.lineno, node.col_offset + 1, None))

    transformed_file = None  # the file compile_user is working on

    def transformed(source, filename):
        # The user's syntax tree through transform(). Python-to-Python
        # calls do not use the C stack, so deep trees only need a higher
        # recursion limit.
        nonlocal transformed_file
        transformed_file = filename
        tree = compile(source, filename, "exec", ast_only, dont_inherit=True)
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 50000))
        try:
            return transform(tree)
        except RecursionError:
            raise SyntaxError("the code is nested too deeply for the wasmbox guard") from None
        finally:
            sys.setrecursionlimit(limit)

    def marked(code):
        # Code objects of the guest's, marked as such.
        if _wasmbox and code is not None:
            _wasmbox.mark(code)
        return code

    def compile_user(source, filename):
        # The user's code through transform(), marked as the guest's.
        return marked(compile(transformed(source, filename), filename, "exec", dont_inherit=True))

    def compile_cell(source, filename):
        # A code context's cell: (body, last), where last evaluates a
        # trailing expression statement, taken off the body, for its value
        # (None without one). Under the policy both go through transform()
        # and are marked as the guest's, as compile_user's code is.
        if enforce:
            tree = transformed(source, filename)
        else:
            tree = compile(source, filename, "exec", ast_only, dont_inherit=True)
        last = None
        if tree.body and type(tree.body[-1]) is ast_expr:
            last = compile(ast_expression(tree.body.pop().value), filename, "eval", dont_inherit=True)
        body = compile(tree, filename, "exec", dont_inherit=True)
        if enforce:
            return marked(body), marked(last)
        return body, last

    def run_context(code):
        # The cell runner sets itself up (its imports, the entry the host
        # calls) before the guard is armed, in a namespace of its own that
        # holds the cells' compiler. It is not the host's program: the
        # host calls it through the reactor's wasmbox_run entry, whose
        # code the armed guard marks as the guest's (it is compiled from a
        # string), so what the runner does is judged as the standard
        # library working for the guest, like the rest of the guest's run.
        exec(code, {"__builtins__": builtins, "__name__": "__wasmbox_context__",
                    "__wasmbox_compile_cell__": compile_cell})

    def guarded_setattr(obj, name, value):
        name = attr_name(name)
        if refuse(obj, name):
            raise attr_error(name)
        real_setattr(obj, name, value)

    def guarded_delattr(obj, name):
        name = attr_name(name)
        if refuse(obj, name):
            raise attr_error(name)
        real_delattr(obj, name)

    def check_path(path):
        if not isinstance(path, str):
            return  # the real helper raises TypeError
        for part in attr_name(path).split("."):
            if part in blocked_attrs or part == "__dict__":
                raise attr_error(part)

    def patch_operator():
        # operator.attrgetter/methodcaller read attributes by name with the
        # real getattr; typing.operator makes them reachable even under strict.
        import operator

        real_attrgetter, real_methodcaller = operator.attrgetter, operator.methodcaller

        def attrgetter(attr, *attrs):
            for a in (attr,) + attrs:
                check_path(a)
            return real_attrgetter(attr, *attrs)

        def methodcaller(name, *args, **kwargs):
            check_path(name)
            return real_methodcaller(name, *args, **kwargs)

        operator.attrgetter, operator.methodcaller = attrgetter, methodcaller

    string_patched = []  # not empty once string.Formatter is patched

    def patch_string():
        # string.Formatter.get_field reads attributes by name with the real
        # getattr. It is patched when the string module is first imported,
        # by anyone (guarded_import sees every import): importing it up front
        # would import re, which costs more than the rest of the boot.
        string_patched.append(True)
        real_get_field = modules["string"].Formatter.get_field

        def get_field(self, field_name, args, kwargs):
            if isinstance(field_name, str):
                check_path(field_name.replace("[", ".").replace("]", "."))
            return real_get_field(self, field_name, args, kwargs)

        modules["string"].Formatter.get_field = get_field

    def builtin_error(name):
        return PermissionError("builtin %r is blocked by the wasmbox %s policy" % (name, policy))

    def refused_open(*args, **kwargs):
        raise builtin_error("open")

    def caller_namespaces(frame, globals, locals):
        # eval/exec without namespaces use their caller's, as the real ones do.
        if globals is None:
            return frame.f_globals, frame.f_locals if locals is None else locals
        return globals, globals if locals is None else locals

    def lock_real_builtins():
        # Stdlib code keeps the real builtins (dataclasses and namedtuple
        # exec, typing evals annotations); code reached through such a gadget
        # with namespaces of its own must not get eval, open & co. from them.
        real_eval, real_exec = builtins.eval, builtins.exec

        def guarded_eval(source, globals=None, locals=None):
            frame = getframe(1)
            if not trusted(frame):
                raise builtin_error("eval")
            return real_eval(source, *caller_namespaces(frame, globals, locals))

        def guarded_exec(source, globals=None, locals=None, **kwargs):
            frame = getframe(1)
            if not trusted(frame):
                raise builtin_error("exec")
            return real_exec(source, *caller_namespaces(frame, globals, locals), **kwargs)

        def guard(name, real):
            def guarded(*args, **kwargs):
                if not trusted(getframe(1)):
                    raise builtin_error(name)
                return real(*args, **kwargs)
            return guarded

        real_compile = builtins.compile

        def guarded_compile(source, filename, mode, flags=0, dont_inherit=False, optimize=-1, **kwargs):
            # The host's program (the eval harness) compiling the guest's
            # code gets it through transform(), marked as the guest's.
            frame = getframe(1)
            if not trusted(frame):
                raise builtin_error("compile")
            if _wasmbox and frame.f_code.co_flags & _wasmbox.HOST and mode == "exec" and not flags:
                return compile_user(source, filename)
            return real_compile(source, filename, mode, flags, dont_inherit, optimize, **kwargs)

        builtins.eval, builtins.exec, builtins.compile = guarded_eval, guarded_exec, guarded_compile
        for name in blocked_builtins - {"eval", "exec", "compile", "__import__", "globals", "locals", "vars"}:
            if hasattr(builtins, name):
                setattr(builtins, name, guard(name, real_getattr(builtins, name)))

    def arm():
        # Arm the C guard (the code to run is marked): from here on it judges.
        dangerous = [real_getattr(builtins, n) for n in sorted(blocked_builtins) if hasattr(builtins, n)]
        dangerous += [real_getattr, real_setattr, real_delattr, sys._getframe, modules, builtins.__dict__]
        _wasmbox.arm(policy, allowed, blocked_attrs, core_attrs, blocked_modules, tuple(dangerous),
                     prefixes, mount)

    def refuse_library_files(event, args):
        # An audit hook (it cannot be removed): code under noFilePrefixes
        # (numpy's Python part) opening a file for user code is refused,
        # whatever path led there (numpy.load, loadtxt, genfromtxt,
        # fromregex, DataSource, the savers, ...). Opening files on the
        # read-only mount (its own modules, for the import system) is the C
        # guard's to judge.
        if event != "open":
            return
        path = args[0]
        if isinstance(path, str) and os.path.normpath(path).startswith(mount + "/"):
            return
        frame = getframe(1)
        while frame is not None and trusted(frame):
            if frame.f_code.co_filename.startswith(no_file_prefixes):
                raise PermissionError("numpy's file functions are blocked by the wasmbox %s policy" % policy)
            frame = frame.f_back

    def strip_boot_frames(exc):
        seen, todo = set(), [exc]
        while todo:
            e = todo.pop()
            if e is None or id(e) in seen:
                continue
            seen.add(id(e))
            kept, tb = [], e.__traceback__
            while tb is not None:
                if tb.tb_frame.f_globals is not boot_globals:
                    kept.append(tb)
                tb = tb.tb_next
            for a, b in zip(kept, kept[1:]):
                a.tb_next = b
            if kept:
                kept[-1].tb_next = None
            e.__traceback__ = kept[0] if kept else None
            todo += [e.__cause__, e.__context__]

    def fail(exc):
        import traceback  # only now: it costs more to import than the rest of the boot

        strip_boot_frames(exc)
        traceback.print_exception(exc)
        sys.stderr.flush()
        return 1

    if mode not in ("file", "code", "context"):
        print("wasmbox boot: unknown mode %r" % mode, file=sys.stderr)
        return 2
    if mode == "file":
        filename = target
        try:
            with open(target, "rb") as f:
                source = f.read()
        except OSError as e:
            print("%s: can't open file %r: [Errno %d] %s" % (sys.executable or "python3", target, e.errno, e.strerror),
                  file=sys.stderr)
            return 2
        sys.argv = [target] + args
        sys.path[0] = os.path.dirname(os.path.realpath(target))
    else:
        filename, source = "<string>" if mode == "code" else "<wasmbox context>", target
        sys.argv = ["-c"] + args
        sys.path[0] = ""
    # A file target under a trusted prefix is the host's own program (the
    # eval harness): it runs as written, and the guest's code it compiles
    # goes through transform() (see guarded_compile). A context's cell
    # runner is compiled as written too, unmarked (see run_context).
    host = mode == "file" and os.path.realpath(filename).startswith(host_prefixes)
    import _ast

    ast_expr, ast_expression, ast_only = _ast.Expr, _ast.Expression, _ast.PyCF_ONLY_AST
    try:
        if enforce:
            # Caching bytecode marshals code and writes files, both refused
            # to library code once armed: a module imported from source
            # (the operator's packages) is compiled and not cached.
            sys.dont_write_bytecode = True
            ast_node, ast_name, ast_class, ast_call = _ast.AST, _ast.Name, _ast.ClassDef, _ast.Call
            ast_attribute, ast_load, ast_constant = _ast.Attribute, _ast.Load, _ast.Constant
            ast_match_class = _ast.MatchClass
            risky_attrs = blocked_attrs | blocked_builtins | {"getattr", "setattr", "delattr"}
            ast_binders = frozenset((_ast.FunctionDef, _ast.AsyncFunctionDef, _ast.ClassDef, _ast.alias, _ast.arg,
                                     _ast.keyword, _ast.Global, _ast.Nonlocal, _ast.ExceptHandler, _ast.MatchAs,
                                     _ast.MatchStar, _ast.MatchMapping))
        if enforce and not host and mode != "context":
            code = compile_user(source, filename)
        else:
            code = compile(source, filename, "exec", dont_inherit=True)
            if enforce and host and _wasmbox:
                _wasmbox.mark(code, True)
    except (SyntaxError, ValueError) as e:
        return fail(e)

    main = module_type("__main__")
    ns = user_globals = main.__dict__
    ns.update(__loader__=None, __spec__=None, __package__=None)
    if mode == "file":
        ns["__file__"] = filename
    if enforce:
        trimmed = dict(builtins.__dict__)
        for name in blocked_builtins:
            trimmed.pop(name, None)
        trimmed.update(__import__=guarded_import, getattr=guarded_getattr, hasattr=guarded_hasattr,
                       setattr=guarded_setattr, delattr=guarded_delattr, __wasmbox_ga__=guarded_getattr)
        if "open" in blocked_builtins:
            # C code that looks open up in its caller's builtins (numpy's
            # fromfile and tofile with a path) finds one that only refuses.
            trimmed["open"] = refused_open
        ns["__builtins__"] = trimmed
    else:
        ns["__builtins__"] = builtins
    sys.modules["__main__"] = main
    if mode == "context":
        run_context(code)
    if enforce:
        patch_operator()
        if hasattr(modules.get("string"), "Formatter"):
            patch_string()
        lock_real_builtins()
        if no_file_prefixes:
            sys.addaudithook(refuse_library_files)
        builtins.__import__ = guarded_import
        sys.meta_path.insert(0, ImportGuard)
        if _wasmbox:
            arm()
    if mode == "context":
        return 0
    del cfg, source
    try:
        exec(code, ns)
    except SystemExit:
        raise
    except BaseException as e:
        return fail(e)
    return 0


_wasmbox_status = _wasmbox_boot()
del _wasmbox_boot
if _wasmbox_status:
    sys.exit(_wasmbox_status)
