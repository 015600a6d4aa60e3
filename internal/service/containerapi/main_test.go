package containerapi_test

import (
	"testing"

	"github.com/wasmbox/wasmbox/internal/enginetest"
	"github.com/wasmbox/wasmbox/runtime"
)

// engine is shared by every test in the package: compiling is slow.
var engine *runtime.Engine

func TestMain(m *testing.M) { enginetest.Main(m, &engine) }
