package server

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tarMember is one member of a test archive.
type tarMember struct {
	name     string
	typeflag byte
	body     string
	linkname string
}

// readTar returns the members of a tar, their data in body.
func readTar(t *testing.T, data []byte) []tarMember {
	t.Helper()
	var out []tarMember
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		b, err := io.ReadAll(tr)
		require.NoError(t, err)
		out = append(out, tarMember{name: hdr.Name, typeflag: hdr.Typeflag, body: string(b), linkname: hdr.Linkname})
	}
}

// makeTar builds a tar of members, gzipped when zip is set.
func makeTar(t testing.TB, zip bool, members ...tarMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if zip {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, m := range members {
		hdr := &tar.Header{Name: m.name, Typeflag: m.typeflag, Mode: 0o644, Size: int64(len(m.body)), Linkname: m.linkname}
		if m.typeflag != tar.TypeReg {
			hdr.Size = 0
		}
		require.NoError(t, tw.WriteHeader(hdr))
		_, err := tw.Write([]byte(m.body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	if zw != nil {
		require.NoError(t, zw.Close())
	}
	return buf.Bytes()
}

func TestPersist(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	sb := ts.URL + "/v1/sandbox/" + id
	for name, body := range map[string]string{
		"a.txt": "alpha", "dir/b.txt": "beta", "dir/c.pyc": "compiled", "__pycache__/x.pyc": "cached", "dir/deep/d.txt": "delta",
	} {
		require.Equal(t, 200, do("PUT", sb+"/file/workspace/"+name, body).status)
	}
	// A file written by the program counts too.
	res, _ := exec(t, ts.URL, id, pyExec("open('made.txt', 'w').write('by python')"))
	require.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)

	for _, tc := range []struct {
		name, query string
		want        []tarMember
	}{
		{"everything", "", []tarMember{
			{"./", tar.TypeDir, "", ""},
			{"./__pycache__/", tar.TypeDir, "", ""}, {"./__pycache__/x.pyc", tar.TypeReg, "cached", ""},
			{"./a.txt", tar.TypeReg, "alpha", ""},
			{"./dir/", tar.TypeDir, "", ""}, {"./dir/b.txt", tar.TypeReg, "beta", ""}, {"./dir/c.pyc", tar.TypeReg, "compiled", ""},
			{"./dir/deep/", tar.TypeDir, "", ""}, {"./dir/deep/d.txt", tar.TypeReg, "delta", ""},
			{"./made.txt", tar.TypeReg, "by python", ""},
		}},
		{"excludes", "?excludes=__pycache__,*.pyc,./dir/deep/,,made.txt", []tarMember{
			{"./", tar.TypeDir, "", ""},
			{"./a.txt", tar.TypeReg, "alpha", ""},
			{"./dir/", tar.TypeDir, "", ""}, {"./dir/b.txt", tar.TypeReg, "beta", ""},
		}},
		{"wildcard classes", "?excludes=dir/[bc].*,a.tx?", []tarMember{
			{"./", tar.TypeDir, "", ""},
			{"./__pycache__/", tar.TypeDir, "", ""}, {"./__pycache__/x.pyc", tar.TypeReg, "cached", ""},
			{"./dir/", tar.TypeDir, "", ""},
			{"./dir/deep/", tar.TypeDir, "", ""}, {"./dir/deep/d.txt", tar.TypeReg, "delta", ""},
			{"./made.txt", tar.TypeReg, "by python", ""},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do("POST", sb+"/persist"+tc.query, "")
			require.Equal(t, 200, r.status, "%s", r.body)
			assert.Equal(t, "application/octet-stream", r.header.Get("Content-Type"))
			assert.Equal(t, tc.want, readTar(t, r.body))
		})
	}
	t.Run("exclude with ..", func(t *testing.T) {
		e := do("POST", sb+"/persist?excludes=a,../etc", "").wantError(t, 400, CodeInvalidRequest)
		assert.Equal(t, `exclude paths must not contain ".."`, e.Message)
	})
	t.Run("unknown sandbox", func(t *testing.T) {
		do("POST", ts.URL+"/v1/sandbox/aaaa/persist", "").wantError(t, 404, CodeSandboxNotFound)
	})
	t.Run("round trip", func(t *testing.T) {
		r := do("POST", sb+"/persist", "")
		require.Equal(t, 200, r.status)
		other := ts.URL + "/v1/sandbox/" + newSandbox(t, ts.URL)
		h := do("POST", other+"/hydrate", string(r.body), "Content-Type", "application/octet-stream")
		require.Equal(t, 200, h.status, "%s", h.body)
		assert.JSONEq(t, `{"ok": true}`, string(h.body))
		again := do("POST", other+"/persist", "")
		require.Equal(t, 200, again.status)
		assert.Equal(t, readTar(t, r.body), readTar(t, again.body))
	})
}

func TestHydrate(t *testing.T) {
	_, ts := newTestServer(t, Config{SessionFSBytes: 1 << 20})
	id := newSandbox(t, ts.URL)
	sb := ts.URL + "/v1/sandbox/" + id

	t.Run("gzipped, with an absolute name, a directory and a hard link", func(t *testing.T) {
		archive := makeTar(t, true,
			tarMember{name: "./", typeflag: tar.TypeDir},
			tarMember{name: "pkg/", typeflag: tar.TypeDir},
			tarMember{name: "pkg/mod.py", typeflag: tar.TypeReg, body: "X = 41\n"},
			tarMember{name: "/abs.txt", typeflag: tar.TypeReg, body: "leading slash dropped"},
			tarMember{name: "./pkg/link.py", typeflag: tar.TypeLink, linkname: "pkg/mod.py"},
			tarMember{name: "empty/", typeflag: tar.TypeDir},
		)
		r := do("POST", sb+"/hydrate", string(archive))
		require.Equal(t, 200, r.status, "%s", r.body)
		assert.JSONEq(t, `{"ok": true}`, string(r.body))
		res, _ := exec(t, ts.URL, id, pyExec("import os\nfrom pkg import mod, link\nprint(mod.X + 1, link.X, open('abs.txt').read(), os.path.isdir('empty'))"))
		assert.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)
		assert.Equal(t, "42 41 leading slash dropped True\n", res.stdout)
	})

	for _, tc := range []struct {
		name    string
		archive []byte
		want    string
	}{
		{"dot-dot", makeTar(t, false, tarMember{name: "good.txt", typeflag: tar.TypeReg, body: "g"}, tarMember{name: "a/../../evil", typeflag: tar.TypeReg, body: "e"}), `member "a/../../evil" contains ".."`},
		{"hard link out", makeTar(t, false, tarMember{name: "good.txt", typeflag: tar.TypeReg, body: "g"}, tarMember{name: "h", typeflag: tar.TypeLink, linkname: "../../etc/passwd"}), `links to "../../etc/passwd"`},
		{"device", makeTar(t, false, tarMember{name: "good.txt", typeflag: tar.TypeReg, body: "g"}, tarMember{name: "null", typeflag: tar.TypeChar}), `member "null" is of tar type '3'`},
		{"past the filesystem cap", makeTar(t, false, tarMember{name: "good.txt", typeflag: tar.TypeReg, body: "g"}, tarMember{name: "big", typeflag: tar.TypeReg, body: string(make([]byte, 1<<20))}), "more than the sandbox filesystem's 1048576 bytes"},
		{"not a tar", []byte("this is not a tar archive, just some text that is long enough to be read as a header block... " + string(make([]byte, 512))), "reading the archive"},
		{"bad gzip", []byte{0x1f, 0x8b, 1, 2, 3}, "reading the gzip stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := do("POST", sb+"/hydrate", string(tc.archive)).wantError(t, 502, CodeArchiveWriteError)
			assert.Contains(t, e.Message, tc.want)
			// Nothing was written: every member is checked first.
			do("GET", sb+"/file/workspace/good.txt", "").wantError(t, 404, CodeFileNotFound)
		})
	}
	t.Run("symbolic link stays inside", func(t *testing.T) {
		r := do("POST", sb+"/hydrate", string(makeTar(t, false, tarMember{name: "passwd", typeflag: tar.TypeSymlink, linkname: "/etc/passwd"})))
		require.Equal(t, 200, r.status, "%s", r.body)
		// The link resolves in the sandbox, where there is no /etc.
		do("GET", sb+"/file/workspace/passwd", "").wantError(t, 404, CodeFileNotFound)
		res, _ := exec(t, ts.URL, id, pyExec("import os\nprint(os.readlink('passwd'))"))
		assert.Equal(t, "/etc/passwd\n", res.stdout, "stderr: %s", res.stderr)
	})
	t.Run("no members", func(t *testing.T) {
		r := do("POST", sb+"/hydrate", string(makeTar(t, false)))
		require.Equal(t, 200, r.status, "%s", r.body)
		assert.JSONEq(t, `{"ok": true}`, string(r.body))
	})
	t.Run("gzip bomb", func(t *testing.T) {
		// Empty files whose PAX headers hold 900 KiB of comment each: a
		// small gzip stream that inflates past what a 1 MiB filesystem
		// could hold.
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		tw := tar.NewWriter(zw)
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: "good.txt", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644}))
		_, err := tw.Write([]byte("g"))
		require.NoError(t, err)
		comment := strings.Repeat("x", 900<<10)
		for i := range 24 {
			require.NoError(t, tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("f%d", i), Typeflag: tar.TypeReg, Mode: 0o644,
				Format: tar.FormatPAX, PAXRecords: map[string]string{"comment": comment}}))
		}
		require.NoError(t, tw.Close())
		require.NoError(t, zw.Close())
		require.Less(t, buf.Len(), 1<<20)
		e := do("POST", sb+"/hydrate", buf.String()).wantError(t, 502, CodeArchiveWriteError)
		assert.Contains(t, e.Message, "the gzip stream inflates past what the sandbox filesystem could hold")
		do("GET", sb+"/file/workspace/good.txt", "").wantError(t, 404, CodeFileNotFound)
	})
	t.Run("too many members", func(t *testing.T) {
		members := make([]tarMember, maxArchiveMembers+1)
		for i := range members {
			members[i] = tarMember{name: fmt.Sprintf("d%d/", i), typeflag: tar.TypeDir}
		}
		e := do("POST", sb+"/hydrate", string(makeTar(t, true, members...))).wantError(t, 502, CodeArchiveWriteError)
		assert.Contains(t, e.Message, "more than 4096 members")
	})
	t.Run("empty body", func(t *testing.T) {
		e := do("POST", sb+"/hydrate", "").wantError(t, 400, CodeInvalidRequest)
		assert.Equal(t, "Empty tar payload", e.Message)
	})
	t.Run("unknown sandbox", func(t *testing.T) {
		do("POST", ts.URL+"/v1/sandbox/aaaa/hydrate", "x").wantError(t, 404, CodeSandboxNotFound)
	})
}

// FuzzHydrate extracts arbitrary bodies as workspace archives. Whatever the
// body, the answer is 200 or a JSON error, and nothing lands outside
// /workspace.
func FuzzHydrate(f *testing.F) {
	seeds := [][]tarMember{
		{{name: "a.txt", typeflag: tar.TypeReg, body: "a"}},
		{{name: "d/", typeflag: tar.TypeDir}, {name: "d/../../x", typeflag: tar.TypeReg, body: "x"}},
		{{name: "/etc/passwd", typeflag: tar.TypeReg, body: "root"}, {name: "l", typeflag: tar.TypeLink, linkname: "/etc/passwd"}},
		{{name: "s", typeflag: tar.TypeSymlink, linkname: "../.."}},
	}
	for _, members := range seeds {
		for _, zip := range []bool{false, true} {
			f.Add(makeTar(f, zip, members...))
		}
	}
	f.Add([]byte{0x1f, 0x8b})
	s, id := fuzzServer(f)
	h := s.Handler()
	ss, ok := s.sessions.acquire(id)
	require.True(f, ok)
	defer s.sessions.release(ss)
	top := func(t testing.TB) []string {
		files, err := ss.sb.ListFiles("/")
		require.NoError(t, err)
		var names []string
		for _, fi := range files {
			names = append(names, fi.Name)
		}
		return names
	}
	before := top(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/sandbox/"+id+"/hydrate", bytes.NewReader(body)))
		checkAnswer(t, rec, 200, 400, 502)
		require.Equal(t, before, top(t), "the sandbox's top level changed")
	})
}
