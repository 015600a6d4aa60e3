# wasmbox code context: one interpreter instance that runs cell after cell.
#
# The guard's boot (internal/guard/boot.py) runs this in its mode "context":
# `-c <boot> CONFIG context <this file> CWD CONTROL`, given to a warm instance
# as its job with "stay" set, so that warm.py returns instead of ending the
# instance. The boot runs it before it arms the guard (under a policy other
# than none), in a namespace of its own holding __wasmbox_compile_cell__,
# which compiles a cell (through the guard's AST transform, its code marked
# as the guest's, under a policy). It installs the cell runner as the builtin
# __wasmbox_run__ of the cells' namespace, the boot's __main__, which is
# where the host calls it through the reactor's wasmbox_run entry once per
# request: the call returns when the request is done, so the wasm stack is
# unwound between cells and the host may fork or save the instance's memory
# there. Under the guard, the runner has the rights of the standard library
# working for the guest (see boot.py's run_context): it may open files
# outside the standard library's mount, read-only, compile and exec; the
# cells may do none of that.
#
# Each request is one JSON line on stdin, written by the host before the
# call; the answer is one JSON object written to the control file
# CONTROL, a path the host serves on the sandbox's mount, opened read-only
# (nothing is stored there). Requests:
#   {"op": "run", "code": CODE, "count": N}  run a cell in __main__
#   {"op": "census", "from": FD, "to": FD}   list the open fds in [from, to)
#   {"op": "reopen", "first": FD, "files": [{"fd", "path"}]}
#                                            open each path so it gets its fd
# Nothing is left in __main__, the cells' namespace: the runner's names
# live in _wasmbox_context's closure or are bound as defaults, as the cells
# may replace builtins.


def _wasmbox_context(cwd, control, compile_cell):
    # binascii is built in: base64 would be imported from the zip, which
    # costs more than the rest of a context's start.
    import binascii, json, linecache, os, sys, traceback  # noqa: E401

    os.chdir(cwd)
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    main = sys.modules["__main__"].__dict__
    reprs = (("_repr_html_", "html"), ("_repr_markdown_", "markdown"), ("_repr_json_", "json"),
             ("_repr_svg_", "svg"), ("_repr_png_", "png"))

    def request(os=os, json=json):
        line = b""
        while not line.endswith(b"\n"):
            chunk = os.read(0, 1 << 16)
            if not chunk:
                raise SystemExit("wasmbox context: no request")
            line += chunk
        return json.loads(line)

    def answer(obj, fd=None, os=os, json=json):
        data = json.dumps(obj, default=repr).encode()
        if fd is None:
            fd = os.open(control, os.O_RDONLY)
        try:
            while data:
                data = data[os.write(fd, data):]
        finally:
            os.close(fd)

    def bundle(value, repr=repr, getattr=getattr, isinstance=isinstance, callable=callable):
        out = {"text": repr(value)}
        for method, key in reprs:
            fn = getattr(type(value), method, None)
            if not callable(fn):
                continue
            try:
                data = fn(value)
            except Exception:
                traceback.print_exc()
                continue
            if data is None:
                continue
            if isinstance(data, tuple):  # (data, metadata), as IPython allows
                data = data[0]
            if key == "png" and isinstance(data, (bytes, bytearray)):
                data = binascii.b2a_base64(data, newline=False).decode()
            out[key] = data
        return out

    def failure(e, filename, isinstance=isinstance, SyntaxError=SyntaxError):
        tb, line = e.__traceback__, None
        while tb is not None and tb.tb_frame.f_code.co_filename != filename:
            tb = tb.tb_next
        e = e.with_traceback(tb)
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                line = tb.tb_lineno
            tb = tb.tb_next
        if isinstance(e, SyntaxError) and e.filename == filename:
            line = e.lineno
        lines = "".join(traceback.format_exception(e)).splitlines()
        err = {"name": type(e).__name__, "message": str(e), "traceback": lines}
        if line is not None:
            err["lineNumber"] = line
        return err

    def run(code, count, exec=exec, eval=eval, BaseException=BaseException):
        filename = "<cell %d>" % count
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        results, error = [], None
        try:
            body, last = compile_cell(code, filename)
            exec(body, main)
            if last is not None:
                value = eval(last, main)
                if value is not None:
                    main["_"] = value
                    results.append(bundle(value))
        except BaseException as e:
            error = failure(e, filename)
        return {"results": results, "error": error}

    def census(first, last, os=os, OSError=OSError):
        # The host pairs each fstat below with the file it reaches, from
        # the first write to the control file on: opening the control file
        # makes calls of its own.
        ctl = os.open(control, os.O_RDONLY)
        os.write(ctl, b" ")
        fds = []
        for fd in range(first, last):
            if fd == ctl:
                continue
            try:
                os.fstat(fd)
            except OSError:
                continue
            fds.append(fd)
        return {"fds": fds}, ctl

    def reopen(first, files, os=os):
        holders, want = [], first
        for f in files:
            while want < f["fd"]:
                holders.append(os.open("/", os.O_RDONLY))
                want += 1
            got = os.open(f["path"], os.O_RDONLY)
            if got != f["fd"]:
                raise OSError("reopened %s as fd %d, want %d" % (f["path"], got, f["fd"]))
            want += 1
        for fd in holders:
            os.close(fd)
        return {}

    def serve(sys=sys):
        req = request()
        op, fd = req["op"], None
        if op == "run":
            out = run(req["code"], req["count"])
        elif op == "census":
            out, fd = census(req["from"], req["to"])
        elif op == "reopen":
            out = reopen(req["first"], req["files"])
        else:
            out = {"bad": op}
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        answer(out, fd)

    cell_builtins = main["__builtins__"]  # the guard's trimmed dict, or the module
    if isinstance(cell_builtins, dict):
        cell_builtins["__wasmbox_run__"] = serve
    else:
        cell_builtins.__wasmbox_run__ = serve


import sys  # noqa: E402
_wasmbox_context(sys.argv[1], sys.argv[2], __wasmbox_compile_cell__)  # noqa: F821
del _wasmbox_context, sys
