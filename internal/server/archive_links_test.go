package server

import (
	"archive/tar"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPersistSymlinks: links in /workspace, dangling and looping ones too,
// are archived as links (not followed) and come back as links.
func TestPersistSymlinks(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	sb := ts.URL + "/v1/sandbox/" + id
	res, _ := exec(t, ts.URL, id, pyExec(`import os
os.mkdir("d")
open("d/f.txt", "w").write("f")
os.symlink("d/f.txt", "file-link")
os.symlink("d", "dir-link")
os.symlink("/nowhere", "dangling")
os.symlink("loop", "loop")`))
	require.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)

	r := do("POST", sb+"/persist", "")
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.Equal(t, []tarMember{
		{"./", tar.TypeDir, "", ""},
		{"./d/", tar.TypeDir, "", ""}, {"./d/f.txt", tar.TypeReg, "f", ""},
		{"./dangling", tar.TypeSymlink, "", "/nowhere"},
		{"./dir-link", tar.TypeSymlink, "", "d"},
		{"./file-link", tar.TypeSymlink, "", "d/f.txt"},
		{"./loop", tar.TypeSymlink, "", "loop"},
	}, readTar(t, r.body))

	other := newSandbox(t, ts.URL)
	h := do("POST", ts.URL+"/v1/sandbox/"+other+"/hydrate", string(r.body))
	require.Equal(t, 200, h.status, "%s", h.body)
	res, _ = exec(t, ts.URL, other, pyExec(`import os
print(os.readlink("file-link"), open("file-link").read(), os.listdir("dir-link"), os.readlink("dangling"))`))
	assert.Equal(t, "d/f.txt f ['f.txt'] /nowhere\n", res.stdout, "stderr: %s", res.stderr)
}
