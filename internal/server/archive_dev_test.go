package server

import (
	"archive/tar"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// /dev is the instance's devices, not files of the sandbox: a persisted
// workspace holds only what the program wrote, and a hydrated member named
// dev/null is a file under /workspace that leaves the guest's /dev/null as
// it is.
func TestArchivesLeaveDevOut(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	sb := ts.URL + "/v1/sandbox/" + id
	res, _ := exec(t, ts.URL, id, pyExec("import os\nos.chdir('/workspace')\nopen('/dev/null', 'w').write('x')\nopen('out.bin', 'wb').write(open('/dev/zero', 'rb').read(2))"))
	require.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)

	r := do("POST", sb+"/persist", "")
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.Equal(t, []tarMember{{"./", tar.TypeDir, "", ""}, {"./out.bin", tar.TypeReg, "\x00\x00", ""}}, readTar(t, r.body))

	archive := makeTar(t, false, tarMember{name: "dev/", typeflag: tar.TypeDir}, tarMember{name: "dev/null", typeflag: tar.TypeReg, body: "not a device"})
	h := do("POST", sb+"/hydrate", string(archive))
	require.Equal(t, 200, h.status, "%s", h.body)
	res, _ = exec(t, ts.URL, id, pyExec("print(repr(open('/dev/null').read()), open('/workspace/dev/null').read())"))
	assert.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)
	assert.Equal(t, "'' not a device\n", res.stdout)
}
