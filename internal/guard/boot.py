# wasmbox guest boot: runs user code under the import policy.
#
# Invoked as: python3 -c <this file> <config> <mode> <target> [args...]
# mode "file": target is a script path, run like `python3 target args...`.
# mode "code": target is source text, run like `python3 -c target args...`.
# Config keys (see guard.go): policy, allowed (top-level modules),
# blockedModules (the dangerous list; only changes the error wording),
# blockedBuiltins, blockedAttrs, stdlibPrefixes.
#
# Code from files under stdlibPrefixes (and frozen modules) imports freely;
# every other importer (user code, modules it was allowed to import) is held
# to the allowlist by a wrapped builtins.__import__ and a sys.meta_path
# finder. User code runs in a fresh __main__ whose __builtins__ is a trimmed
# dict: blocked builtins removed, getattr & co. refusing blocked attributes.
import sys


def _wasmbox_boot():
    import builtins
    import os
    import types

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
    blocked_attrs = frozenset(cfg["blockedAttrs"])
    prefixes = tuple(cfg["stdlibPrefixes"])
    boot_globals = globals()
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

    def allowed_value(value):
        return not isinstance(value, module_type) or value.__name__.partition(".")[0] in allowed

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

    def guarded_getattr(obj, name, *default):
        name = attr_name(name)
        if refuse(obj, name):
            raise attr_error(name)
        value = real_getattr(obj, name, *default)
        if not allowed_value(value):
            raise attr_error(name)
        return value

    def guarded_hasattr(obj, name):
        try:
            guarded_getattr(obj, name)
        except AttributeError:
            return False
        return True

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

        builtins.eval, builtins.exec = guarded_eval, guarded_exec
        for name in blocked_builtins - {"eval", "exec", "__import__", "globals", "locals", "vars"}:
            if hasattr(builtins, name):
                setattr(builtins, name, guard(name, real_getattr(builtins, name)))

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

    if mode not in ("file", "code"):
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
        filename, source = "<string>", target
        sys.argv = ["-c"] + args
        sys.path[0] = ""
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        return fail(e)

    main = module_type("__main__")
    ns = main.__dict__
    ns.update(__loader__=None, __spec__=None, __package__=None)
    if mode == "file":
        ns["__file__"] = filename
    if enforce:
        trimmed = dict(builtins.__dict__)
        for name in blocked_builtins:
            trimmed.pop(name, None)
        trimmed.update(__import__=guarded_import, getattr=guarded_getattr, hasattr=guarded_hasattr,
                       setattr=guarded_setattr, delattr=guarded_delattr)
        ns["__builtins__"] = trimmed
        patch_operator()
        if hasattr(modules.get("string"), "Formatter"):
            patch_string()
        lock_real_builtins()
        builtins.__import__ = guarded_import
        sys.meta_path.insert(0, ImportGuard)
    else:
        ns["__builtins__"] = builtins
    sys.modules["__main__"] = main
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
