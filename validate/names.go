package validate

// keywords are Python's hard keywords; they are never name references.
var keywords = setOf("False", "None", "True", "and", "as", "assert", "async",
	"await", "break", "class", "continue", "def", "del", "elif", "else",
	"except", "finally", "for", "from", "global", "if", "import", "in", "is",
	"lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
	"while", "with", "yield")

// builtinsNames are names that hand out the real builtins or the import
// system; any reference, also as an attribute, is a blocked-import.
var builtinsNames = setOf("__builtins__", "builtins", "importlib")

// internalDunders are dunder attributes that reach interpreter internals:
// the type graph (and through __subclasses__ every loaded class), function
// globals and code, bound-method owners (print.__self__ is the builtins
// module), module loaders, tracebacks and pickling hooks.
var internalDunders = setOf("__class__", "__bases__", "__base__", "__mro__",
	"__subclasses__", "__globals__", "__code__", "__closure__",
	"__getattribute__", "__self__", "__loader__", "__spec__",
	"__traceback__", "__reduce__", "__reduce_ex__", "__objclass__",
	"__defaults__", "__kwdefaults__")

// internalAttrs are non-dunder attributes with the same reach: frames and
// their globals/builtins, code objects, and constructors of code and
// function objects (typing.types.CodeType).
var internalAttrs = setOf("f_back", "f_builtins", "f_globals", "f_locals",
	"f_code", "tb_frame", "tb_next", "gi_frame", "gi_code", "cr_frame",
	"cr_code", "ag_frame", "ag_code", "co_code", "co_consts", "_getframe",
	"CodeType", "FunctionType", "LambdaType", "CellType")

// coreAttrs are the blocked attributes the guard refuses to untrusted code
// on every path that reads an attribute by name, the interpreter's own C
// lookups included: getattr, str.format fields ("{0.__globals__}"), match
// class patterns (__match_args__), operator.attrgetter/methodcaller, and
// code that typing or dataclasses compile from the user's strings. The other
// blocked attributes are refused wherever user code names them (its
// attribute syntax, getattr and friends, string literals), but not inside
// the interpreter, whose C code reads __class__ (isinstance), __bases__
// (issubclass), __spec__ (import) and __subclasses__ (abc) by name for
// every caller.
var coreAttrs = setOf("__globals__", "__code__", "__closure__", "__builtins__",
	"__self__", "__objclass__", "__loader__", "__getattribute__", "__traceback__",
	"f_back", "f_builtins", "f_globals", "f_locals", "f_code", "tb_frame",
	"tb_next", "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame",
	"ag_code", "co_code", "co_consts", "_getframe")

// moduleAttrs are attribute names under which allowed modules keep
// references to dangerous modules (typing.sys, collections._sys,
// enum.bltns, dataclasses.inspect, random._os, json.codecs, …); accessing
// them is a blocked-import of the module they name. The list comes from
// walking the module-valued attributes of every stdlib-policy module.
var moduleAttrs = map[string]string{
	"sys": "sys", "_sys": "sys", "os": "os", "_os": "os", "bltns": "builtins",
	"inspect": "inspect", "_thread": "_thread", "_types": "types",
	"subprocess": "subprocess", "posix": "posix", "io": "io", "_io": "io",
	"ctypes": "ctypes", "shutil": "shutil", "socket": "socket",
	"marshal": "marshal", "pickle": "pickle", "gc": "gc",
	"codecs": "codecs", // json.codecs.open reads files without open()
}

// builtinReasons says why each blocked builtin is blocked.
var builtinReasons = map[string]string{
	"__import__": "it imports modules by name, around the import policy",
	"breakpoint": "it starts the debugger",
	"compile":    "it builds code objects from strings",
	"eval":       "it runs code from a string",
	"exec":       "it runs code from a string",
	"globals":    "it exposes the module namespace and __builtins__",
	"help":       "it imports arbitrary modules and reads stdin",
	"input":      "it reads stdin, which the sandbox does not provide",
	"locals":     "it exposes frame namespaces",
	"open":       "it opens files",
	"vars":       "it exposes namespaces, including modules' __builtins__",
}

// getattrFuncs take an attribute name as their second argument.
var getattrFuncs = setOf("getattr", "setattr", "delattr", "hasattr")

// attrPathFuncs take dotted attribute paths or method names as arguments.
var attrPathFuncs = setOf("attrgetter", "methodcaller")

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
