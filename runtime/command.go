package runtime

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SplitCommand splits a command line into words with POSIX shell quoting:
// single quotes keep everything literally, double quotes keep everything but
// a backslash before $ ` " \ or a newline, and a backslash outside quotes
// escapes the next character. There is no shell behind it, so an unquoted
// character that only a shell gives meaning to (| & ; < > ( ) $ ` * ? [ ] ~
// or #) is an error that names it.
func SplitCommand(line string) ([]string, error) {
	// Every character with a meaning here is ASCII, and no byte of a
	// multi-byte UTF-8 character is, so the line is scanned bytewise and
	// copied into words a run at a time. Columns in errors count runes.
	col := func(i int) int { return utf8.RuneCountInString(line[:i]) + 1 }
	var words []string
	var word strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated single quote at column %d", col(i))
			}
			word.WriteString(line[i+1 : i+1+end])
			i, inWord = i+1+end, true
		case c == '"':
			j := i + 1
			for ; j < len(line) && line[j] != '"'; j++ {
				if line[j] == '\\' && j+1 < len(line) && strings.IndexByte("$`\"\\\n", line[j+1]) >= 0 {
					j++
				} else if line[j] == '$' || line[j] == '`' {
					return nil, fmt.Errorf("%q at column %d needs a shell, and this sandbox has none", rune(line[j]), col(j))
				}
				word.WriteByte(line[j])
			}
			if j >= len(line) {
				return nil, fmt.Errorf("unterminated double quote at column %d", col(i))
			}
			i, inWord = j, true
		case c == '\\':
			if i+1 >= len(line) {
				return nil, fmt.Errorf("trailing backslash at column %d", col(i))
			}
			i++
			if line[i] != '\n' {
				word.WriteByte(line[i])
				inWord = true
			}
		case strings.IndexByte(shellOnly, c) >= 0:
			return nil, fmt.Errorf("%q at column %d needs a shell, and this sandbox has none", rune(c), col(i))
		default:
			j := i + 1
			for j < len(line) && !special[line[j]] {
				j++
			}
			word.WriteString(line[i:j])
			i, inWord = j-1, true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}

// shellOnly are the characters that only a shell gives meaning to.
const shellOnly = "|&;<>()$`*?[]~#"

// special marks the bytes SplitCommand acts on: blanks, quotes, the
// backslash and shellOnly.
var special = func() (m [256]bool) {
	for _, c := range []byte(" \t\n'\"\\" + shellOnly) {
		m[c] = true
	}
	return m
}()

// pythonNames are the program names Exec runs; anything else is "command
// not found".
var pythonNames = map[string]bool{"python3": true, "python": true, "python3.13": true}

// IsPython reports whether argv0 names the interpreter (python3, python,
// python3.13), with or without a directory (/usr/bin/python3).
func IsPython(argv0 string) bool {
	return pythonNames[argv0[strings.LastIndexByte(argv0, '/')+1:]]
}

// scriptTarget finds what a python3 argv runs under a policy: a file (mode
// "file") or a -c string (mode "code"), and the program's own arguments.
// Interpreter options other than -c are refused: the guard decides how the
// interpreter starts.
func scriptTarget(argv []string) (mode, target string, args []string, err error) {
	if len(argv) < 2 {
		return "", "", nil, fmt.Errorf("%s needs a script: python3 FILE [ARGS] or python3 -c CODE [ARGS]", argv[0])
	}
	switch a := argv[1]; {
	case a == "-c":
		if len(argv) < 3 {
			return "", "", nil, fmt.Errorf("argument expected for the -c option")
		}
		return "code", argv[2], argv[3:], nil
	case strings.HasPrefix(a, "-"):
		return "", "", nil, fmt.Errorf("option %s is not available under a policy: run python3 FILE [ARGS] or python3 -c CODE [ARGS], or use the policy none", a)
	default:
		return "file", a, argv[2:], nil
	}
}

// QuoteCommand joins argv into a command line that SplitCommand splits back
// into argv, quoting only the words that need it.
func QuoteCommand(argv []string) string {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, needsQuote) < 0 {
			quoted[i] = a
		} else {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}

func needsQuote(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
}
