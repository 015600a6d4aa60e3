package scaletest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/wasmbox/wasmbox/internal/service/containerapi"
)

// manifestDir holds the Kubernetes manifests.
const manifestDir = "../../deploy/kubernetes"

// The memory arithmetic of deployment.yaml, beside the serve flags: what
// a pod holds besides its guests and files.
const (
	runtimeOverhead = 128 << 20 // Go heap, compiled interpreter, snapshot (85 MiB measured idle)
	warmInstance    = 16 << 20  // one started interpreter waiting (7.5 MiB measured)
)

// object is the part of a Kubernetes object the checks read.
type object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec spec `yaml:"spec"`
	// Kustomization
	Resources []string `yaml:"resources"`
}

// spec merges the specs of the kinds the manifests hold.
type spec struct {
	// Deployment
	Replicas *int `yaml:"replicas"`
	Selector struct {
		MatchLabels map[string]string `yaml:"matchLabels"`
	} `yaml:"selector"`
	Template struct {
		Metadata struct {
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"metadata"`
		Spec struct {
			TerminationGracePeriodSeconds int         `yaml:"terminationGracePeriodSeconds"`
			Containers                    []container `yaml:"containers"`
			Volumes                       []volume    `yaml:"volumes"`
		} `yaml:"spec"`
	} `yaml:"template"`
	// Service (its selector is a plain map, read through ServiceSelector)
	ClusterIP string `yaml:"clusterIP"`
	Ports     []struct {
		Port       int    `yaml:"port"`
		TargetPort string `yaml:"targetPort"`
	} `yaml:"ports"`
	// HorizontalPodAutoscaler
	ScaleTargetRef struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Name       string `yaml:"name"`
	} `yaml:"scaleTargetRef"`
	MinReplicas int `yaml:"minReplicas"`
	MaxReplicas int `yaml:"maxReplicas"`
	// PodDisruptionBudget
	MaxUnavailable *int `yaml:"maxUnavailable"`
}

type volume struct {
	Name     string    `yaml:"name"`
	EmptyDir *struct{} `yaml:"emptyDir"`
}

type container struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Env   []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	StartupProbe   *probe `yaml:"startupProbe"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		ReadOnlyRootFilesystem bool `yaml:"readOnlyRootFilesystem"`
	} `yaml:"securityContext"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
}

// loadManifests reads every object of every YAML file in manifestDir, by
// kind and name ("Deployment/wasmbox"), and the files' names.
func loadManifests(t *testing.T) (objects map[string]object, selectors map[string]map[string]string, files []string) {
	paths, err := filepath.Glob(filepath.Join(manifestDir, "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "no manifests in %s", manifestDir)
	objects, selectors = map[string]object{}, map[string]map[string]string{}
	for _, path := range paths {
		files = append(files, filepath.Base(path))
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(false)
		for {
			var node yaml.Node
			err := dec.Decode(&node)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, "%s is not YAML", path)
			var o object
			require.NoError(t, node.Decode(&o), "%s", path)
			require.NotEmpty(t, o.Kind, "an object without kind in %s", path)
			key := o.Kind + "/" + o.Metadata.Name
			require.NotContains(t, objects, key, "%s twice", key)
			objects[key] = o
			if o.Kind == "Service" {
				var svc struct {
					Spec struct {
						Selector map[string]string `yaml:"selector"`
					} `yaml:"spec"`
				}
				require.NoError(t, node.Decode(&svc))
				selectors[key] = svc.Spec.Selector
			}
		}
	}
	return objects, selectors, files
}

// TestKubernetesManifests checks deploy/kubernetes: the objects agree with
// each other and the resources with the serve flags.
func TestKubernetesManifests(t *testing.T) {
	objects, serviceSelectors, files := loadManifests(t)
	deploy, ok := objects["Deployment/wasmbox"]
	require.True(t, ok, "no Deployment wasmbox in %v", files)
	require.Len(t, deploy.Spec.Template.Spec.Containers, 1)
	c := deploy.Spec.Template.Spec.Containers[0]
	podLabels := deploy.Spec.Template.Metadata.Labels
	flags := serveFlags(t, c.Args)

	t.Run("kustomization lists every manifest", func(t *testing.T) {
		k, ok := objects["Kustomization/"]
		require.True(t, ok, "no kustomization.yaml")
		others := slices.DeleteFunc(slices.Clone(files), func(f string) bool { return f == "kustomization.yaml" })
		assert.ElementsMatch(t, others, k.Resources)
	})

	t.Run("image is pinned", func(t *testing.T) {
		name, tag, ok := strings.Cut(c.Image, ":")
		assert.True(t, ok && name != "" && tag != "" && tag != "latest", "image %q has no version tag", c.Image)
	})

	t.Run("selector matches the pod labels", func(t *testing.T) {
		require.NotEmpty(t, deploy.Spec.Selector.MatchLabels)
		assert.Subset(t, podLabels, deploy.Spec.Selector.MatchLabels)
	})

	t.Run("probes ask /healthz on the serving port", func(t *testing.T) {
		port := containerPort(t, c, "http")
		_, addrPort, err := splitHostPort(flags["addr"])
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(port), addrPort, "--addr and the container port")
		for name, p := range map[string]*probe{"startup": c.StartupProbe, "readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
			if assert.NotNil(t, p, "%s probe", name) && assert.NotNil(t, p.HTTPGet, "%s probe", name) {
				assert.Equal(t, "/healthz", p.HTTPGet.Path, "%s probe", name)
				assert.Equal(t, "http", p.HTTPGet.Port, "%s probe", name)
			}
		}
		ann := deploy.Spec.Template.Metadata.Annotations
		assert.Equal(t, "true", ann["prometheus.io/scrape"])
		assert.Equal(t, strconv.Itoa(port), ann["prometheus.io/port"])
		assert.Equal(t, "/metrics", ann["prometheus.io/path"])
	})

	t.Run("resources follow from the serve flags", func(t *testing.T) {
		slots := atoi(t, flags["max-concurrency"])
		memory := size(t, flags["memory"])
		assert.Equal(t, flags["memory"], flags["max-memory"], "--max-memory must equal --memory, or a request could ask for more than the pod holds")
		files := uint64(atoi(t, flags["max-sessions"])+containerapi.DefaultMaxContainers+1) * size(t, flags["session-fs"])
		bodies := uint64(slots+atoi(t, flags["max-queue"])) * size(t, flags["max-body"])
		contexts := uint64(atoi(t, flags["max-contexts"])) * memory
		want := runtimeOverhead + uint64(slots)*memory + contexts + uint64(atoi(t, flags["warm"]))*warmInstance + files + bodies
		assert.Equal(t, mebibytes(want), mebibytes(quantity(t, c.Resources.Limits["memory"])), "memory limit")
		assert.Equal(t, c.Resources.Limits, c.Resources.Requests, "requests = limits (Guaranteed QoS)")
		assert.Equal(t, strconv.Itoa(slots), c.Resources.Limits["cpu"], "a core per execution slot")
	})

	t.Run("shutdown grace fits the termination grace period", func(t *testing.T) {
		grace, err := time.ParseDuration(flags["shutdown-grace"])
		require.NoError(t, err)
		assert.Greater(t, time.Duration(deploy.Spec.Template.Spec.TerminationGracePeriodSeconds)*time.Second, grace)
	})

	t.Run("the compilation cache is on a volume", func(t *testing.T) {
		assert.True(t, c.SecurityContext.ReadOnlyRootFilesystem)
		var cacheDir string
		for _, e := range c.Env {
			if e.Name == "WASMBOX_CACHE_DIR" {
				cacheDir = e.Value
			}
		}
		require.NotEmpty(t, cacheDir, "WASMBOX_CACHE_DIR")
		var mounted string
		for _, m := range c.VolumeMounts {
			if m.MountPath == cacheDir {
				mounted = m.Name
			}
		}
		require.NotEmpty(t, mounted, "no volume mounted at %s", cacheDir)
		assert.True(t, slices.ContainsFunc(deploy.Spec.Template.Spec.Volumes, func(v volume) bool {
			return v.Name == mounted && v.EmptyDir != nil
		}), "volume %s is an emptyDir", mounted)
	})

	t.Run("services select the pods and reach the serving port", func(t *testing.T) {
		for _, name := range []string{"Service/wasmbox", "Service/wasmbox-replicas"} {
			svc, ok := objects[name]
			require.True(t, ok, "no %s", name)
			require.NotEmpty(t, serviceSelectors[name], "%s selector", name)
			assert.Subset(t, podLabels, serviceSelectors[name], "%s selector", name)
			require.Len(t, svc.Spec.Ports, 1)
			assert.Equal(t, "http", svc.Spec.Ports[0].TargetPort, "%s targetPort", name)
		}
		assert.Equal(t, "None", objects["Service/wasmbox-replicas"].Spec.ClusterIP, "headless, a DNS record per pod")
	})

	t.Run("autoscaler and disruption budget target the Deployment", func(t *testing.T) {
		hpa, ok := objects["HorizontalPodAutoscaler/wasmbox"]
		require.True(t, ok)
		assert.Equal(t, "autoscaling/v2", hpa.APIVersion)
		ref := hpa.Spec.ScaleTargetRef
		assert.Equal(t, []string{"apps/v1", "Deployment", "wasmbox"}, []string{ref.APIVersion, ref.Kind, ref.Name})
		assert.LessOrEqual(t, hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
		if assert.NotNil(t, deploy.Spec.Replicas) {
			assert.Equal(t, hpa.Spec.MinReplicas, *deploy.Spec.Replicas, "the Deployment starts at the autoscaler's floor")
		}

		pdb, ok := objects["PodDisruptionBudget/wasmbox"]
		require.True(t, ok)
		assert.Equal(t, "policy/v1", pdb.APIVersion)
		assert.Equal(t, deploy.Spec.Selector.MatchLabels, pdb.Spec.Selector.MatchLabels)
		if assert.NotNil(t, pdb.Spec.MaxUnavailable) {
			assert.Less(t, *pdb.Spec.MaxUnavailable, hpa.Spec.MinReplicas, "a drain leaves pods serving")
		}
	})
}

// serveFlags reads `serve --name=value ...` into a map, failing on any
// other form.
func serveFlags(t *testing.T, args []string) map[string]string {
	require.NotEmpty(t, args)
	require.Equal(t, "serve", args[0])
	flags := map[string]string{}
	for _, a := range args[1:] {
		name, value, ok := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		require.True(t, ok && strings.HasPrefix(a, "--"), "argument %q is not --name=value", a)
		flags[name] = value
	}
	for _, name := range []string{"addr", "max-concurrency", "warm", "memory", "max-memory", "max-sessions", "max-contexts", "session-fs", "max-queue", "max-body", "shutdown-grace"} {
		require.Contains(t, flags, name, "the arithmetic needs --%s", name)
	}
	return flags
}

func containerPort(t *testing.T, c container, name string) int {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	require.FailNow(t, "no container port", "port %q", name)
	return 0
}

func splitHostPort(addr string) (host, port string, err error) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return "", "", fmt.Errorf("address %q has no port", addr)
	}
	return addr[:i], addr[i+1:], nil
}

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

// size reads a serve flag size in binary units (128MiB).
func size(t *testing.T, s string) uint64 {
	return withUnit(t, s, map[string]uint64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30})
}

// quantity reads a Kubernetes memory quantity in binary units (1252Mi).
func quantity(t *testing.T, s string) uint64 {
	return withUnit(t, s, map[string]uint64{"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30})
}

// mebibytes writes n bytes in Mi.
func mebibytes(n uint64) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64) + "Mi"
}

func withUnit(t *testing.T, s string, units map[string]uint64) uint64 {
	for unit, mult := range units {
		if num, ok := strings.CutSuffix(s, unit); ok {
			return uint64(atoi(t, num)) * mult
		}
	}
	require.FailNow(t, "unknown size", "%q has none of the units %v", s, units)
	return 0
}
