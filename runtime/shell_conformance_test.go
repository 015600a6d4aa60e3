package runtime

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"

	"github.com/wasmbox/wasmbox/internal/shell/coreutils"
)

// The shell conformance tests run command lines written the way installers
// and agent frameworks write them, through ExecArgv as the bridge sends
// them, in a sandbox whose working directory is /workspace. Each row names
// what it exercises.

// conformanceRow is one command line and what it must give.
type conformanceRow struct {
	name   string
	argv   []string
	stdin  string
	stdout string // exact, unless match is set
	match  string // a regular expression stdout must match
	exit   int
	// needs lists the utilities (and "symlinks", links in the sandbox
	// filesystem) the row needs beyond what the shell has today; the row
	// is skipped, saying so, until they exist.
	needs []string
}

// installer writes a helper script with a heredoc under a trap, marks it
// executable and moves it into place, as an agent framework installs its
// runtime helpers: sh -c SCRIPT sh DEST.
const installer = `
set -eu
dest="$1"
tmp="$dest.tmp.$$"
mkdir -p -- "$(dirname -- "$dest")"
cleanup() {
    rm -f -- "$tmp"
}
trap cleanup EXIT INT TERM
cat > "$tmp" <<'HELPER_EOF'
#!/bin/sh
set -eu
printf 'helper %s in %s\n' "$1" "$(pwd)"
HELPER_EOF
chmod 0555 "$tmp"
if [ -d "$dest" ]; then
    rm -rf -- "$dest"
fi
if [ -x "$dest" ] && command -v cmp >/dev/null 2>&1 && cmp -s "$dest" "$tmp"; then
    rm -f -- "$tmp"
    trap - EXIT INT TERM
    exit 0
fi
rm -f -- "$dest"
mv -f -- "$tmp" "$dest"
trap - EXIT INT TERM
`

// writeCheck tells whether a path can be written, walking up to the first
// parent that exists: [ -e ] [ -f ] [ -w ] [ -d ] [ -x ], $(dirname), a
// while loop and exit $?.
const writeCheck = `
target="$1"
if [ -e "$target" ]; then
    [ -f "$target" ] && [ -w "$target" ]
    exit $?
fi
parent=$(dirname "$target")
while [ ! -e "$parent" ]; do
    next=$(dirname "$parent")
    if [ "$next" = "$parent" ]; then
        exit 1
    fi
    parent="$next"
done
[ -d "$parent" ] && [ -w "$parent" ] && [ -x "$parent" ]
`

// resolver resolves a path element by element in POSIX sh: a recursive
// function, ${1%/*}, ${1##*/}, ${#1}, [ -L ], case, arithmetic and return
// codes.
const resolver = `
LC_ALL=C
export LC_ALL
depth=0
resolve() {
    if [ "$depth" -gt 40 ] || [ "${#1}" -gt 4095 ]; then
        return 2
    fi
    if [ "$1" = "/" ]; then
        resolved=/
        return 0
    fi
    parent=${1%/*}
    if [ -z "$parent" ] || [ "$parent" = "$1" ]; then
        parent=/
    fi
    resolve "$parent" || return 2
    base=${1##*/}
    case "$resolved" in
        /) candidate=/$base ;;
        *) candidate=$resolved/$base ;;
    esac
    if [ -L "$candidate" ]; then
        target=$(readlink -n "$candidate" && printf .) || return 2
        target=${target%.}
        depth=$((depth + 1))
        case "$target" in
            /*) resolve "$target" ;;
            *) resolve "$resolved/$target" ;;
        esac
        return $?
    fi
    resolved=$candidate
}
resolve "$1" || exit 2
printf '%s\n' "$resolved"
`

// runConformance runs rows, each in a fresh sandbox with /workspace.
func runConformance(t *testing.T, rows []conformanceRow) {
	t.Helper()
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			skipWithout(t, tc.needs)
			s := newSandbox(t, SandboxConfig{})
			require.NoError(t, s.Mkdir("/workspace"))
			res, err := s.ExecArgv(context.Background(), tc.argv, ExecOptions{Dir: "/workspace", Stdin: strings.NewReader(tc.stdin)})
			require.NoError(t, err)
			if tc.match != "" {
				assert.Regexp(t, regexp.MustCompile(tc.match), res.Stdout, "stderr: %s", res.Stderr)
			} else {
				assert.Equal(t, tc.stdout, res.Stdout, "stderr: %s", res.Stderr)
			}
			assert.Equal(t, tc.exit, res.ExitCode, "stderr: %s", res.Stderr)
		})
	}
}

// skipWithout skips t when a utility in needs is missing, or "symlinks" is
// in needs and the sandbox filesystem has no symbolic links.
func skipWithout(t *testing.T, needs []string) {
	t.Helper()
	cmds := coreutils.Commands(coreutils.Config{})
	var missing []string
	for _, name := range needs {
		if name == "symlinks" {
			if newMemFS(1<<20, 16).Symlink("a", "b") == experimentalsys.ENOSYS {
				missing = append(missing, name)
			}
		} else if cmds[name] == nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Skipf("needs %v, not in the sandbox yet", missing)
	}
}

func sh(script string, args ...string) []string {
	return append([]string{"sh", "-c", script}, args...)
}

func bashLc(script string, args ...string) []string {
	return append([]string{"bash", "-lc", script}, args...)
}

func TestShellConformance(t *testing.T) {
	runConformance(t, []conformanceRow{
		{name: "mkdir -p -- as a plain argv", argv: []string{"mkdir", "-p", "--", "/workspace/a/b"}},
		{name: "test -x as a plain argv, absent", argv: []string{"test", "-x", "/opt/helper"}, exit: 1},
		{name: "installer then run the helper",
			argv:   sh(installer+"\ncd /workspace && /opt/helpers/h-1 one && test -x /opt/helpers/h-1 && ls /opt/helpers", "sh", "/opt/helpers/h-1"),
			stdout: "helper one in /workspace\nh-1\n"},
		{name: "installer run twice", argv: sh(`sh -c "$1" sh /opt/h && sh -c "$1" sh /opt/h; echo again $?`, "sh", installer), stdout: "again 0\n"},
		{name: "write check: new file under a missing directory", argv: bashLc(writeCheck, "sh", "/workspace/x/y/z.txt")},
		{name: "write check: a directory is not a file", argv: bashLc(writeCheck, "sh", "/workspace"), exit: 1},
		{name: "write check: an existing file", argv: sh(`echo x > f && sh -c "$1" sh /workspace/f && echo writable`, "sh", writeCheck), stdout: "writable\n"},
		{name: "resolver without links", argv: bashLc(resolver, "sh", "/workspace/a/../b/c"), stdout: "/workspace/a/../b/c\n"},
		{name: "cat > \"$1\" from stdin", argv: bashLc(`cat > "$1" && cat "$1"`, "sh", "/workspace/in.txt"), stdin: "streamed\n", stdout: "streamed\n"},
		{name: "env K=V python3 (argv)", argv: []string{"env", "K=V", "L=W X", "python3", "-c", "import os; print(os.environ['K'], os.environ['L'])"}, stdout: "V W X\n"},
		{name: "python3.13 argv with relative script",
			argv:   sh(`printf 'import sys\nprint(sys.argv[1:])\n' > s.py && python3.13 s.py "a b" c`),
			stdout: "['a b', 'c']\n"},
		{name: "set -eu, functions, $(...), arithmetic, case",
			argv: sh(`set -eu
count() { n=0; for w in "$@"; do n=$((n + ${#w})); done; echo "$n"; }
total=$(count alpha be gamma)
case "$total" in
  1[0-9]) echo "teen $total" ;;
  *) echo "other $total" ;;
esac`),
			stdout: "teen 12\n"},
		{name: "set -e stops at the first failure", argv: sh("set -e; echo one; false; echo two"), stdout: "one\n", exit: 1},
		{name: "unset variable under set -u", argv: sh(`set -u; echo "$nope"`), exit: 1},
		{name: "traps: EXIT runs at the end and keeps the status",
			argv: sh(`trap 'echo "exit trap $?"' EXIT; echo body; exit 3`), stdout: "body\nexit trap 3\n", exit: 3},
		{name: "subshell keeps cd and variables to itself",
			argv:   sh(`mkdir -p d/e; x=1; (cd d/e && x=2 && pwd -P); echo "$x $(pwd)"`),
			stdout: "/workspace/d/e\n1 /workspace\n"},
		{name: "cd -P -- and pwd -P", argv: sh(`mkdir -p -- "a b/c" && cd -P -- "a b/c" && pwd -P && cd .. && pwd`), stdout: "/workspace/a b/c\n/workspace/a b\n"},
		{name: "heredocs, expanded and quoted",
			argv: sh(`name=world
cat <<EOF
hello $name $((2 * 3))
EOF
cat <<'EOF'
literal $name
EOF`),
			stdout: "hello world 6\nliteral $name\n"},
		{name: "pipes between utilities and python3",
			argv:   sh(`seq 1 4 | python3 -c "import sys; print(sum(int(l) for l in sys.stdin))" | cat`),
			stdout: "10\n"},
		{name: "python3 writes, utilities read",
			argv:   sh(`python3 -c "open('out.txt', 'w').write('from python\n')" && cat out.txt && ls`),
			stdout: "from python\nout.txt\n"},
		{name: "while read loop over a pipe", argv: sh(`printf 'a\nb c\n' | while read -r l; do echo "<$l>"; done`), stdout: "<a>\n<b c>\n"},
		{name: "if on python3's status", argv: sh(`if python3 -c 'raise SystemExit(1)'; then echo yes; else echo "no $?"; fi`), stdout: "no 1\n"},
		{name: "pipefail", argv: bashLc(`set -o pipefail; python3 -c 'raise SystemExit(4)' | cat; echo $?`), stdout: "4\n"},
		{name: "command -v finds utilities and python3, not others",
			argv:   sh(`command -v ls; command -v python3; command -v nosuch || echo none; command -v cd`),
			stdout: "/usr/bin/ls\n/usr/bin/python3\nnone\ncd\n"},
		{name: "script by #! and chmod", argv: sh(`printf '#!/bin/sh\necho "script $1"\n' > run.sh; ./run.sh a || echo "denied $?"; chmod +x run.sh; ./run.sh b`),
			stdout: "denied 126\nscript b\n"},
		{name: "#!/usr/bin/env python3 script", argv: sh(`printf '#!/usr/bin/env python3\nimport sys\nprint("py", sys.argv[1])\n' > p && chmod 755 p && ./p x`), stdout: "py x\n"},
		{name: "source a file of functions", argv: sh(`echo 'greet() { echo "hi $1"; }' > lib.sh; . ./lib.sh; greet you`), stdout: "hi you\n"},
		{name: "redirections: append, stderr, /dev/null",
			argv:   sh(`echo a > f; echo b >> f; ls nosuch 2>/dev/null || echo "ls $?"; cat f; echo err 1>&2 2>/dev/null`),
			stdout: "ls 2\na\nb\n"},
		{name: "mv -f and rm -rf", argv: sh(`mkdir -p t/u && echo x > t/u/f && mv -f t/u/f g && rm -rf -- t && ls`), stdout: "g\n"},
		{name: "unknown command", argv: []string{"nosuchcmd"}, exit: 127},
		{name: "pip is refused", argv: sh("pip install requests"), exit: 1},
	})
}

// TestShellConformanceFullUtilities needs the core utilities still being
// written (awk, grep, sed, head, sort, tar, sha256sum, find, xargs, wc, cmp)
// and symbolic links in the sandbox filesystem.
func TestShellConformanceFullUtilities(t *testing.T) {
	runConformance(t, []conformanceRow{
		{name: "workspace fingerprint: tar | sha256sum | awk", needs: []string{"tar", "sha256sum", "awk"},
			argv:  sh(`echo a > f; mkdir d; echo b > d/g; tar -C /workspace -cf - . | sha256sum | awk '{print $1}'`),
			match: `^[0-9a-f]{64}\n$`},
		{name: "fingerprint is stable and follows content", needs: []string{"tar", "sha256sum", "awk"},
			argv: sh(`fp() { tar -C /workspace --exclude=./skip -cf - . | sha256sum | awk '{print $1}'; }
echo a > f; one=$(fp); two=$(fp); echo b > skip; three=$(fp); echo c > f; four=$(fp)
[ "$one" = "$two" ] && [ "$one" = "$three" ] && [ "$one" != "$four" ] && echo ok`),
			stdout: "ok\n"},
		{name: "exclude patterns escaped as tar's help calls for", needs: []string{"tar", "grep", "sed", "sha256sum", "awk"},
			argv: sh(`if tar --help 2>&1 | grep -q -- '--no-wildcards'; then tar_cmd="tar --no-wildcards"; escape=0; else tar_cmd=tar; escape=1; fi
mkdir -p 'a[1]' && echo x > 'a[1]/f' && echo y > keep
rel='a[1]'
if [ "$escape" -eq 1 ]; then rel=$(printf '%s\n' "$rel" | sed 's/[][\\*?]/\\&/g'); fi
$tar_cmd --exclude="./$rel" -C /workspace -cf - . | tar -tf - | sort`),
			stdout: "./\n./keep\n"},
		{name: "installer twice, cmp -s on the second run", needs: []string{"cmp"},
			argv:   sh(`sh -c "$1" sh /opt/h && sh -c "$1" sh /opt/h && cmp -s /opt/h /opt/h && echo same`, "sh", installer),
			stdout: "same\n"},
		{name: "resolver through links", needs: []string{"symlinks"},
			argv:   sh(`mkdir -p real/dir && ln -s real/dir link && ln -s /workspace/link abs && sh -c "$1" sh /workspace/abs/x; readlink -f abs; [ -L link ] && echo link`, "sh", resolver),
			stdout: "/workspace/real/dir/x\n/workspace/real/dir\nlink\n"},
		{name: "cd into a link and pwd -P", needs: []string{"symlinks"}, argv: sh(`mkdir -p real && ln -s real l && cd l && pwd && pwd -P`), stdout: "/workspace/l\n/workspace/real\n"},
		{name: "find | sort | xargs cat | wc -l", needs: []string{"find", "sort", "xargs", "wc"},
			argv:   sh(`mkdir -p a/b && printf '1\n2\n' > a/x.py && printf '1\n' > a/b/y.py && echo n > a/z.txt && find . -name '*.py' -type f | sort | xargs cat | wc -l`),
			stdout: "3\n"},
		{name: "grep, sed -i, head, tail, cut, tr, sort, uniq", needs: []string{"grep", "sed", "head", "tail", "cut", "tr", "sort", "uniq"},
			argv: sh(`printf 'b,2\na,1\nb,3\n' > c.csv
sed -i 's/,/;/' c.csv
cut -d';' -f1 c.csv | sort | uniq -c | tr -s ' ' | head -n 1
grep -c '^b' c.csv; tail -n 1 c.csv`),
			stdout: " 1 a\n2\nb;3\n"},
		{name: "python3 output through awk", needs: []string{"awk"}, argv: sh(`python3 -c "print('x 1'); print('y 2')" | awk '{s += $2} END {print s}'`), stdout: "3\n"},
	})
}
