package containerapi_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/wasmbox/wasmbox/runtime"
)

// engine is shared by every test in the package: compiling is slow.
var engine *runtime.Engine

func TestMain(m *testing.M) {
	var err error
	engine, err = runtime.NewEngine(context.Background(), runtime.EngineConfig{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		os.Exit(1)
	}
	code := m.Run()
	engine.Close(context.Background())
	os.Exit(code)
}
