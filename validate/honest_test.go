package validate

// honestCase is a snippet that must pass its policy without findings.
type honestCase struct {
	name   string
	policy string // "" means strict
	src    string
}

var honestCases = []honestCase{
	{"json scoring", "", `import json


def score(output: str) -> float:
    """Parse the model output as JSON and score the "answer" field."""
    try:
        data = json.loads(output)
    except json.JSONDecodeError as e:
        print(f"invalid JSON: {e}")
        return 0.0
    return 1.0 if data.get("answer") == 42 else 0.0


if __name__ == "__main__":
    print(json.dumps({"score": score('{"answer": 42}')}))
`},
	{"regex scoring", "", `import re

PATTERN = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*(?:ms|s)\b", re.IGNORECASE)


def extract(text):
    return [float(m.group("num")) for m in PATTERN.finditer(text)]


def grade(text: str) -> dict[str, float]:
    nums = extract(text)
    hits = sum(1 for n in nums if 0 < n < 100)
    return {"precision": hits / len(nums) if nums else 0.0}
`},
	{"typing annotations", "", `from __future__ import annotations

from typing import Any, Callable, Optional, TypedDict, Union
import typing


class Result(TypedDict):
    ok: bool
    detail: Optional[str]


Handler = Callable[[str], Union[int, None]]


def run(h: Handler, items: list[str]) -> list[Result]:
    out: list[Result] = []
    for it in items:
        v = h(it)
        out.append({"ok": v is not None, "detail": None})
    return out


if typing.TYPE_CHECKING:
    pass
`},
	{"mentions in strings", "", `BAD = "import os; os.system('rm -rf /')"
HINT = 'never call eval( or exec( on input'
DOC = """
    Do not write:  from subprocess import run
    or __import__('os') or open('/etc/passwd')
"""
print(BAD, HINT, DOC)
`},
	{"mentions in comments", "", `# import os
# eval(user_input)  <- never do this
x = 1  # __import__('sys'); exec(x)
`},
	{"user methods named like builtins", "", `class Model:
    def eval(self):
        return self

    def compile(self, loss):
        self.loss = loss


model = Model()
model.eval()
model.compile(loss="mse")
pattern = __name__.strip()
`},
	{"ordinary dunders", "", `class Vec:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return 2

    def __eq__(self, other):
        return isinstance(other, Vec) and (self.x, self.y) == (other.x, other.y)

    def __repr__(self):
        return f"{type(self).__name__}({self.x!r}, {self.y!r})"


print(__name__, __file__, Vec.__name__, Vec.__qualname__, Vec.__doc__, Vec.__module__)
v = Vec(1, 2)
v.__init__(3, 4)
`},
	{"instance __dict__", "", `class Config:
    def __init__(self, **kw):
        self.__dict__.update(kw)

    def as_dict(self):
        return dict(self.__dict__)
`},
	{"f-strings", "", `name, width = "x", 10
a = f"{{literal}} {name!r:>{width}} {width:#x} {name=}"
b = f"{'nested ' + f'{name:^{width}}'}"
c = f"{", ".join(["a", "b"])}"
d = f"""multi
{name}
line {width * 2}"""
e = rf"\d{{2}}{name}"
g = f"{x!r}" if (x := 3) else ""
h = f"{'\n'.join(['a', 'b'])}"
`},
	{"match statement", "", `def describe(cmd):
    match cmd:
        case {"op": "add", "args": [a, b]}:
            return a + b
        case [first, *rest] if rest:
            return first
        case str() as s:
            return s.upper()
        case _:
            return None


match = 1
case = match + 1
`},
	{"pep 695", "", `def first[T](xs: list[T]) -> T:
    return xs[0]


class Box[T]:
    def __init__(self, item: T) -> None:
        self.item = item


type Pair[K, V] = tuple[K, V]
type = 3
`},
	{"parameters shadow builtins", "", `def solve(input: str, vars: dict, open: bool = False) -> int:
    total = len(input.split())
    return total + len(vars) + int(open)


input = "1 2 3"
print(sum(int(t) for t in input.split()))
`},
	{"keyword arguments named like builtins", "", `def run(**kw):
    return kw


run(compile=True, open=False, eval=None)
d = dict(input="x")
`},
	{"from re import compile", "", `from re import compile, sub

WORD = compile(r"\w+")
print(sub(r"\s+", " ", "a  b"), WORD.findall("x y"))
`},
	{"raw and byte strings", "", `a = r"C:\path\n\d+\\"
b = b"\x00\xff raw"
c = rb"\x00"
d = Rb'\d'
e = u"unicode \N{BULLET} \u2022"
f = br"""triple 'quoted' "inside" """
`},
	{"triple quotes", "", `s = """He said "hi" and 'bye'
and \"\"\" escaped"""
t = '''it's ''' "adjacent"
`},
	{"continuations and brackets", "", `total = 1 + \
    2 + \
    3
values = [
    1,
    2,  # comment inside brackets
    3,
]
call = max(
    values,
    key=lambda v: (
        -v
    ),
)
`},
	{"semicolons", "", "a = 1; b = 2; c = a + b\nif c: print(c); print(a)\n"},
	{"decorators", "stdlib", `import functools


def deco(fn):
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        return fn(*args, **kwargs)
    return inner


class A:
    @property
    def x(self):
        return 1

    @staticmethod
    @deco
    def y():
        return 2
`},
	{"stdlib modules", "stdlib", `import math, statistics
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from itertools import chain, combinations
from functools import lru_cache, reduce
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
import heapq, bisect, textwrap, unicodedata, operator, copy, string, difflib, enum


@dataclass
class Point:
    x: float
    y: float = field(default=0.0)


@lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(math.sqrt(2), statistics.mean([1, 2]), Counter("abc"), Decimal("1.1") + 1)
print(operator.attrgetter("x")(Point(1)), copy.deepcopy([1]), string.ascii_letters)
`},
	{"async code", "", `async def fetch(q):
    async with q as conn:
        async for row in conn:
            await row


async def main():
    return [x async for x in fetch(None)]
`},
	{"exceptions", "", `class ScoreError(ValueError):
    pass


def check(x):
    try:
        return int(x)
    except (TypeError, ValueError) as err:
        raise ScoreError(str(err)) from err
    finally:
        pass
`},
	{"scopes", "", `counter = 0


def outer():
    value = 1

    def inner():
        nonlocal value
        global counter
        counter += 1
        value += 1
        return value
    return inner


def gen():
    yield from range(3)
`},
	{"getattr with ordinary names", "", `class C:
    a = 1


name = "a"
print(getattr(C, name, None), getattr(C, "a"), hasattr(C, "__name__"), setattr(C, "b", 2))
`},
	{"unicode identifiers", "", `café = 1
π = 3.14159
résultat = café * π
日本 = "ok"
print(résultat, 日本)
`},
	{"numbers", "", "a = 1_000_000\nb = 0xFF_FF\nc = 1e-5 + 2.5E+3 + .5 + 5.\nd = 3j + 0o17 + 0b1010\ne = 1if a else 2\nf = 1 .real\n"},
	{"tabs", "", "def f():\n\tif True:\n\t\treturn 1\n\treturn 2\n"},
	{"prose mentioning dunders", "", `NOTE = "the __class__ attribute and __globals__ are blocked here"
print("obj __dict__", "__init__", "__name__")
`},
	{"allowed extra import", "extra", "import numpy as np\nfrom numpy.linalg import norm\nprint(np.zeros(3), norm)\n"},
	{"allowed submodule", "", "import json.decoder\nfrom json import loads, dumps as d\nfrom typing import TYPE_CHECKING\n"},
	{"dict and set comprehensions", "", `words = ["a", "bb", "a"]
lengths = {w: len(w) for w in words}
unique = {w for w in words if w}
pairs = [(i, j) for i in range(3) for j in range(i)]
total = sum(x * x for x in range(10))
`},
	{"class with metaclass keyword", "", `class Meta(type):
    def __new__(mcs, name, bases, ns, **kw):
        return super().__new__(mcs, name, bases, ns)


class Thing(metaclass=Meta):
    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
`},
	{"serialising objects", "", `import json


class Item:
    def __init__(self, name):
        self.name = name


items = [Item("a"), Item("b")]
print(json.dumps(items, default=lambda o: o.__dict__))
for it in items:
    print(sorted(it.__dict__))
`},
	{"lambda and comprehension shadowing", "", `lines = [" A", "b "]
print(sorted(lines, key=lambda input: input.lower()))
print([input.strip() for input in lines])
match: int = 3
case: str = "x"
`},
	{"backslash-only lines", "", "if True:\n    \\\n    pass\ny = 1\n\\\nz = 2\n"},
	{"empty and blank", "", "\n\n   \n# only comments\n"},
	{"crlf line endings", "", "x = 1\r\nif x:\r\n    y = 2\r\n"},
	{"string prefixes as names", "", "r = 1\nb = r + 1\nf = b\nu = f\nrb = u\nprint(r, b, f, u, rb)\n"},
}
