package hostile

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/internal/server"
	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

// bypass is a probe of one of issue 12's policy-bypass classes. Unguarded
// (policy none) it prints a line starting with "ESCAPED": that is the
// control that proves the probe works. Under strict and stdlib it must not,
// whether the static check refuses it or the guard stops it at run time.
type bypass struct {
	class, name, code string
}

// escaped is what a probe prints when it got what it was after.
const escaped = "ESCAPED"

var bypasses = []bypass{
	// Laundered aliases: module attributes and namespaces reached through
	// names the code binds itself.
	{"aliases", "issue-list-alias", `import typing
t = [typing][0]
s = t.__dict__["sys"]
print("ESCAPED", s.modules["os"].listdir("/"))
`},
	{"aliases", "module-attr", `import typing
print("ESCAPED", typing.sys.modules["os"].listdir("/"))
`},
	{"aliases", "param-laundering", `import typing
def ns(m):
    return m.__dict__
print("ESCAPED", ns(typing)["sys"].modules["os"].listdir("/"))
`},
	{"aliases", "computed-getattr", `import typing
s = getattr(typing, "sy" + "s")
print("ESCAPED", s.modules["os"].listdir("/"))
`},
	{"aliases", "module-of-module", `import re
b = getattr(re.enum, "blt" + "ns")
print("ESCAPED", b.open)
`},
	{"aliases", "forward-ref-in-module-globals", `import typing
class C:
    x: "sys"
C.__module__ = "typing"
s = typing.get_type_hints(C)["x"]
print("ESCAPED", s.modules["os"].listdir("/"))
`},
	{"aliases", "hold-and-use", `import typing
class C:
    x: "sys"
C.__module__ = "typing"
s = typing.get_type_hints(C)["x"]
for m in [s]:
    print("ESCAPED", m.platform)
`},

	{"aliases", "subclasses-posix", `import typing
ag = type(typing.operator.attrgetter("x"))
subs = ag("__subcla" + "sses__")(object)()
bi = [c for c in subs if c.__name__ == "BuiltinImporter"][0]
posix = bi.load_module("posix")
print("ESCAPED", posix.listdir("/"))
`},
	{"aliases", "subclasses-fileio", `import typing
ag = type(typing.operator.attrgetter("x"))
sub = ag("__subcla" + "sses__")
todo, found = [object], {}
while todo:
    c = todo.pop()
    found[c.__name__] = c
    try:
        todo += [k for k in sub(c)() if k.__name__ not in found]
    except TypeError:  # type.__subclasses__ is unbound on type
        pass
f = found["FileIO"]("/tmp/pwned", "w")
f.write(b"x")
print("ESCAPED", "written")
`},
	{"aliases", "forward-ref-match-modules", `import typing
class C:
    x: "sys"
C.__module__ = "typing"
s = typing.get_type_hints(C)["x"]
class M(type):
    def __instancecheck__(cls, obj):
        return True
class P(metaclass=M):
    __match_args__ = ("modules",)
match s:
    case P(mods):
        print("ESCAPED", mods["os"].listdir("/"))
`},

	// The interpreter's C getattr: operator's classes reached through
	// type(), match class patterns, str.format fields.
	{"c-getattr", "attrgetter-class", `import typing
ag = type(typing.operator.attrgetter("x"))
def f():
    pass
g = ag("__glo" + "bals__")(f)
print("ESCAPED", g["__builtins__"])
`},
	{"c-getattr", "methodcaller-class", `import typing
mc = type(typing.operator.methodcaller("x"))
def f():
    pass
g = mc("__getattri" + "bute__", "__glo" + "bals__")(f)
print("ESCAPED", g["__builtins__"])
`},
	{"c-getattr", "attrgetter-self", `import typing
ag = type(typing.operator.attrgetter("x"))
b = ag("__se" + "lf__")(print)
print("ESCAPED", b.exec)
`},
	{"c-getattr", "match-args", `class M(type):
    def __instancecheck__(cls, obj):
        return True
class P(metaclass=M):
    __match_args__ = ("__glo" + "bals__",)
def f():
    pass
match f:
    case P(g):
        print("ESCAPED", type(g).__name__, "__builtins__" in g)
`},
	{"c-getattr", "match-args-frame", `class M(type):
    def __instancecheck__(cls, obj):
        return True
class P(metaclass=M):
    __match_args__ = ("gi_fr" + "ame",)
gen = (i for i in [1])
match gen:
    case P(fr):
        print("ESCAPED", fr.f_globals is not None)
`},
	{"c-getattr", "format-field", `def f():
    pass
s = ("{0.__glo" + "bals__}").format(f)
print("ESCAPED", s[:20])
`},
	{"c-getattr", "format-map", `def f():
    pass
s = ("{x.__glo" + "bals__[__builtins__]}").format_map({"x": f})
print("ESCAPED", s[:20])
`},
	{"c-getattr", "getattribute", `def f():
    pass
ga = getattr(object, "__getattri" + "bute__")
print("ESCAPED", ga(f, "__glo" + "bals__")["__builtins__"])
`},

	// Strings the standard library evaluates as code.
	{"strings", "issue-annotation-with-space", `import typing
def x():
    pass
def g(a: "x. __globals__['__builtins__']"):
    pass
print("ESCAPED", typing.get_type_hints(g)["a"])
`},
	{"strings", "annotation-computed", `import typing
def x():
    pass
def g(a):
    pass
g.__annotations__["a"] = "x.__glo" + "bals__"
print("ESCAPED", typing.get_type_hints(g)["a"]["__builtins__"])
`},
	{"strings", "annotation-import", `import typing
def g(a):
    pass
g.__annotations__["a"] = "__import__ ('o' + 's').listdir('/')"
print("ESCAPED", typing.get_type_hints(g, globalns={})["a"])
`},
	{"strings", "forward-ref-open", `import typing
def g(a):
    pass
g.__annotations__["a"] = "op" + "en('/tmp/pwned', 'w').write('x')"
print("ESCAPED", typing.get_type_hints(g, globalns={})["a"])
`},
	{"strings", "forward-ref-lambda", `import typing
def x():
    pass
def g(a):
    pass
g.__annotations__["a"] = "lambda f: f.__glo" + "bals__"
grab = typing.get_type_hints(g)["a"]
for _ in range(50):
    try:
        print("ESCAPED", grab(x)["__builtins__"])
        break
    except AttributeError:
        pass
`},

	// Forged trust: code objects and functions the guest builds itself.
	{"forged", "code-replace", `def f():
    return __import__("o" + "s").listdir("/")
c = getattr(f, "__co" + "de__")
c2 = c.replace(co_filename="/usr/local/lib/python313.zip/os.py")
g = type(f)(c2, {"__builtins__": getattr(print, "__se" + "lf__")})
print("ESCAPED", g())
`},
	{"forged", "function-from-code", `import typing
ag = type(typing.operator.attrgetter("x"))
def f():
    return __import__("o" + "s").listdir("/")
g = type(f)(ag("__co" + "de__")(f), {"__builtins__": ag("__se" + "lf__")(print)})
print("ESCAPED", g())
`},

	// Frames and closures.
	{"frames", "traceback-walk", `try:
    1 / 0
except Exception as e:
    fr = getattr(getattr(e, "__trace" + "back__"), "tb_fr" + "ame")
while getattr(fr, "f_ba" + "ck"):
    fr = getattr(fr, "f_ba" + "ck")
print("ESCAPED", sorted(getattr(fr, "f_glo" + "bals"))[:3])
`},
	{"frames", "generator-frame", `g = (i for i in [1])
fr = getattr(g, "gi_fr" + "ame")
print("ESCAPED", getattr(fr, "f_buil" + "tins"))
`},
	{"frames", "guard-closure", `def outer():
    held = print
    def inner():
        return held
    return inner
# Under the guard, hasattr is one of its Python wrappers, closing over the
# real getattr; unguarded, a closure of our own stands in for it.
f = hasattr if type(hasattr).__name__ == "function" else outer()
cells = getattr(f, "__clo" + "sure__")
print("ESCAPED", [c.cell_contents for c in cells])
`},

	// Loaders and codecs.
	{"loaders", "loader-get-data", `import json
d = json.__loader__.get_data("json/__init__.pyc")
print("ESCAPED", len(d))
`},
	{"loaders", "spec-loader-get-data", `import json, typing
ag = type(typing.operator.attrgetter("x"))
loader = ag("__sp" + "ec__.loader")(json)
print("ESCAPED", len(loader.get_data("json/__init__.pyc")))
`},
	{"loaders", "zipimporter-new", `import json, typing
ag = type(typing.operator.attrgetter("x"))
loader = ag("__sp" + "ec__.loader")(json)
z = type(loader)("/usr/local/lib/python313.zip")
print("ESCAPED", len(z.get_data("os.pyc")))
`},
	{"loaders", "codecs-write", `import json
c = getattr(json, "co" + "decs")
with c.open("/tmp/pwned", "w") as f:
    f.write("x")
print("ESCAPED", "written")
`},
	{"loaders", "codecs-write-attrgetter", `import json, typing
c = type(typing.operator.attrgetter("x"))("co" + "decs")(json)
with c.open("/tmp/pwned", "w") as f:
    f.write("x")
print("ESCAPED", "written")
`},

	// The real exec and compile.
	{"exec", "builtins-exec", `import typing
b = type(typing.operator.attrgetter("x"))("__se" + "lf__")(print)
b.exec("print('ESCAPED', 'exec')")
`},
	{"exec", "forward-ref-exec", `import typing
def g(a):
    pass
g.__annotations__["a"] = "ex" + "ec ('print(1)')"
print("ESCAPED", typing.get_type_hints(g, globalns={}))
`},
}

// TestBypassClasses runs every probe unguarded (the control), under the
// guard alone (no static check: the guard must hold by itself), through the
// runner with the static check (what `wasmbox run` does) and through
// POST /v1/run without a policy field.
func TestBypassClasses(t *testing.T) {
	_, ts := bypassServer(t)
	classes := map[string]int{}
	for _, b := range bypasses {
		classes[b.class]++
		t.Run(b.class+"/"+b.name, func(t *testing.T) {
			res := guardedExec(t, b.code, "none")
			require.Contains(t, res.Stdout, escaped, "the probe does not work unguarded; stderr %q", res.Stderr)
			for _, policy := range []string{"strict", "stdlib"} {
				res := guardedExec(t, b.code, policy)
				assertContained(t, "guard only, "+policy, res)
				p, err := validate.PolicyByName(policy)
				require.NoError(t, err)
				r, err := runtime.NewPythonRunner(engine, runtime.RunnerConfig{Policy: &p, Sandbox: runtime.SandboxConfig{Timeout: runTimeout}})
				require.NoError(t, err)
				res, err = r.Run(context.Background(), []byte(b.code), nil, runtime.ExecOptions{})
				require.NoError(t, err)
				assertContained(t, "runner, "+policy, res)
			}
			assertContained(t, "POST /v1/run", postRun(t, ts.URL, b.code))
		})
	}
	assert.Len(t, classes, 7, "one group per bypass class: %v", classes)
}

// guardedExec runs code as /tmp/eval_script.py under the in-guest guard of
// policy, without the static check.
func guardedExec(t *testing.T, code, policy string) *runtime.ExecResult {
	t.Helper()
	return guardedExecFor(t, code, policy, runTimeout)
}

// guardedExecFor is guardedExec with a timeout.
func guardedExecFor(t *testing.T, code, policy string, timeout time.Duration) *runtime.ExecResult {
	t.Helper()
	p, err := validate.PolicyByName(policy)
	require.NoError(t, err)
	s, err := engine.NewSandbox(runtime.SandboxConfig{Timeout: timeout})
	require.NoError(t, err)
	defer s.Destroy()
	require.NoError(t, s.WriteFile(runtime.ScriptPath, []byte(code)))
	res, err := s.Exec(context.Background(), "python3 "+runtime.ScriptPath, runtime.ExecOptions{Policy: &p})
	require.NoError(t, err, "sandbox error (%+v)", res)
	return res
}

// assertContained checks that a guarded run did not get what it was after:
// it was refused (126, or an exception) or went without effect (a class
// pattern that no longer matches, a lookup that keeps failing), and never
// printed the escape marker.
func assertContained(t *testing.T, how string, res *runtime.ExecResult) {
	t.Helper()
	assert.NotContains(t, res.Stdout, escaped, "%s: escaped; stderr %q", how, res.Stderr)
	assert.NotContains(t, []int{124, 125, 134}, res.ExitCode, "%s: the guard hung or crashed the run; stderr %q", how, res.Stderr)
	assert.NotContains(t, res.Stdout+res.Stderr, hostSecret, "%s: the host's secret leaked", how)
}

// bypassServer is the HTTP server on the suite's engine, with its defaults.
func bypassServer(t *testing.T) (*server.Server, *httptest.Server) {
	t.Helper()
	s, err := server.New(server.Config{Engine: engine, Timeout: runTimeout, ExecTimeout: runTimeout,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return s, ts
}

// postRun sends code to POST /v1/run with no policy field.
func postRun(t *testing.T, url, code string) *runtime.ExecResult {
	t.Helper()
	body, err := json.Marshal(map[string]any{"code": code, "timeoutMs": runTimeout.Milliseconds()})
	require.NoError(t, err)
	resp, err := http.Post(url+"/v1/run", "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var res runtime.ExecResult
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&res))
	return &res
}
