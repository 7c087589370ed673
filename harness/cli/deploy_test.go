package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// deployDir holds the container build file and Kubernetes manifests.
const deployDir = "../../deploy"

// dflabCommands are the dflab command lines of the manifests' containers
// (a `sh -c` line with the Indexed Job's index substituted).
func dflabCommands(t *testing.T, doc map[string]any) [][]string {
	t.Helper()
	spec, _ := doc["spec"].(map[string]any)
	tmpl, _ := spec["template"].(map[string]any)
	pod, _ := tmpl["spec"].(map[string]any)
	cs, _ := pod["containers"].([]any)
	require.NotEmpty(t, cs, "%s %v has no containers", doc["kind"], doc["metadata"])
	var out [][]string
	for _, c := range cs {
		c := c.(map[string]any)
		require.Equal(t, "dflab:dev", c["image"], "the image deploy/Dockerfile builds")
		var args []string
		for _, a := range c["args"].([]any) {
			args = append(args, a.(string))
		}
		if cmd, ok := c["command"].([]any); ok {
			require.Equal(t, []any{"/bin/sh", "-c"}, cmd)
			require.Len(t, args, 1)
			line := strings.NewReplacer("$((JOB_COMPLETION_INDEX + 1))", "1", "$JOB_COMPLETION_INDEX", "0").Replace(args[0])
			f := strings.Fields(line)
			require.Equal(t, []string{"exec", "dflab"}, f[:2], line)
			args = f[2:]
		}
		out = append(out, args)
	}
	return out
}

// The deployment files parse, each container runs a dflab command whose
// every flag that command defines, the NATS cluster they name has three
// servers with JetStream (the workers' --nats-replicas 3), and the
// container build file builds the dflab command.
func TestDeploymentManifests(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(deployDir, "k8s", "*.yaml"))
	require.NoError(t, err)
	kinds := map[string]int{}
	var lines [][]string
	for _, path := range files {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, yaml.Unmarshal(data, &doc), path)
		if filepath.Base(path) == "nats-values.yaml" {
			cfg := doc["config"].(map[string]any)
			require.Equal(t, true, cfg["cluster"].(map[string]any)["enabled"])
			require.Equal(t, 3, cfg["cluster"].(map[string]any)["replicas"])
			require.Equal(t, true, cfg["jetstream"].(map[string]any)["enabled"])
			require.GreaterOrEqual(t, cfg["merge"].(map[string]any)["max_payload"], 4<<20)
			continue
		}
		kinds[doc["kind"].(string)]++
		lines = append(lines, dflabCommands(t, doc)...)
	}
	require.Equal(t, map[string]int{"Deployment": 1, "Job": 2}, kinds)
	seen := map[string]bool{}
	for _, args := range lines {
		name := args[0]
		seen[name] = true
		_, ok := commands[name]
		require.True(t, ok, "dflab %s: no such command", name)
		_, out, errOut := call(t, name, "--help")
		help := out + errOut
		for _, a := range args[1:] {
			if !strings.HasPrefix(a, "--") {
				continue
			}
			flag := strings.SplitN(strings.TrimPrefix(a, "--"), "=", 2)[0]
			require.Regexp(t, regexp.MustCompile(`(?m)^\s+-`+regexp.QuoteMeta(flag)+`(\s|$)`), help, "dflab %s has no flag --%s", name, flag)
		}
		if name == "worker" || name == "load" {
			// Every flag parses: the command gets as far as the
			// connection string, which the test leaves unset.
			t.Setenv("DFLAB_AZURE_CONNECTION", "")
			code, _, errOut := call(t, args...)
			require.Equal(t, 1, code, errOut)
			require.Contains(t, errOut, "environment variable DFLAB_AZURE_CONNECTION is empty")
		}
	}
	require.Equal(t, map[string]bool{"worker": true, "load": true, "figures": true}, seen)

	docker, err := os.ReadFile(filepath.Join(deployDir, "Dockerfile"))
	require.NoError(t, err)
	m := regexp.MustCompile(`go build .* (\./\S+)`).FindSubmatch(docker)
	require.NotNil(t, m, "the Dockerfile builds a package")
	require.Equal(t, "./harness/cmd/dflab", string(m[1]))
	_, err = os.Stat(filepath.Join("../..", string(m[1]), "main.go"))
	require.NoError(t, err)
}
