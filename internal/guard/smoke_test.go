package guard

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wasmbox/wasmbox/validate"
)

// stdlibSmoke exercises every stdlib-policy module under the guard.
const stdlibSmoke = `
import abc, array, base64, binascii, bisect, calendar, cmath, collections, contextlib
import copy, dataclasses, datetime, decimal, difflib, enum, fractions, functools
import graphlib, hashlib, heapq, itertools, json, keyword, math, numbers, operator
import pprint, random, re, reprlib, statistics, string, struct, textwrap, time
import typing, unicodedata

Point = collections.namedtuple("Point", "x y")
class Color(enum.Flag):
    RED = enum.auto()
    BLUE = enum.auto()
@dataclasses.dataclass(frozen=True)
class Item:
    name: str
    tags: list = dataclasses.field(default_factory=list)
class Base(abc.ABC):
    @abc.abstractmethod
    def f(self): ...
class Impl(Base):
    def f(self):
        return 1
    @functools.cached_property
    def g(self):
        return 2
@functools.singledispatch
def show(x):
    return "obj"
@show.register
def _(x: int):
    return "int"
@contextlib.contextmanager
def ctx():
    yield 5
class TD(typing.TypedDict):
    a: int
with ctx() as v, contextlib.suppress(KeyError):
    {}["missing"]
out = [
    Point(1, 2).x, (Color.RED | Color.BLUE).value, dataclasses.asdict(Item("a")), Impl().f() + Impl().g,
    show(1), v, list(itertools.accumulate([1, 2, 3])), str(decimal.Decimal("1.10") + 1),
    str(fractions.Fraction(1, 3) * 3), statistics.median([3, 1, 2]), random.Random(1).randint(1, 1),
    datetime.datetime.strptime("2024-02-03", "%Y-%m-%d").strftime("%d"), calendar.isleap(2024),
    textwrap.shorten("a b c d", 5), difflib.SequenceMatcher(None, "ab", "ac").ratio(), heapq.nsmallest(1, [3, 1]),
    bisect.bisect([1, 3], 2), unicodedata.name("a"), operator.itemgetter(0)([9]), copy.deepcopy({"a": [1]}),
    string.Template("$x").substitute(x=1), base64.b64encode(b"hi").decode(), hashlib.sha256(b"").hexdigest()[:4],
    struct.pack("<h", 1).hex(), array.array("i", [1]).tolist(), reprlib.repr(list(range(10)))[:5],
    list(graphlib.TopologicalSorter({"b": {"a"}}).static_order()), keyword.iskeyword("if"),
    isinstance(1, numbers.Number), cmath.sqrt(-1).imag, binascii.hexlify(b"a").decode(), round(math.pi, 2),
    re.sub(r"\d", "#", "a1"), json.loads("[1]"), pprint.pformat({"k": 1}), time.time() > 0,
    typing.get_type_hints(TD), str(collections.Counter("aab").most_common(1)), Item("b") == Item("b"),
]
print(len(out), "ok")
`

func TestGuardStdlibSmoke(t *testing.T) {
	p := policy(t, "stdlib")
	assert.Empty(t, validate.Check([]byte(stdlibSmoke), p), "static check rejects the smoke test")
	stdout, stderr, code := native(t, p, "code", stdlibSmoke)
	assert.Equal(t, 0, code, "exit code; stderr: %s", stderr)
	assert.Contains(t, stdout, "39 ok")
}
