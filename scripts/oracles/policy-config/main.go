// Policy-config oracle: runs the Pulumi CLI's own code for a --policy-pack-config file over the
// cases in tests/fixtures/policy-config-cli.json and writes each case's verdict back into it, so
// tests/policy.test.ts can hold offline/packConfig.ts to exactly what `pulumi preview
// --policy-pack ... --policy-pack-config ...` accepts and refuses. Not part of `npm test` (it
// needs Go and the Go module proxy); rerun it when the pinned CLI version changes:
//
//	cd scripts/oracles/policy-config && go mod tidy && go run . ../../../tests/fixtures/policy-config-cli.json
//
// What runs, at the CLI version in go.mod (our @pulumi/pulumi, 3.248.0), for a local policy pack
// on a self-managed (DIY) backend, pulumi/pulumi pkg/engine/update.go installPlugins' local-pack
// branch: LoadPolicyPackConfigAndEnvironmentsFromFile; the "ESC environments but the current
// backend does not support them" refusal (a DIY backend has no PolicyEnvResolver); the pack's
// policies as sdk/go/common/resource/plugin/analyzer_plugin.go GetAnalyzerInfo hands them on
// (schemas through protobuf Structs, `enforcementLevel` injected into every schema when the pack
// supports config, as @pulumi/policy's packs do); ReconcilePolicyPackConfig (sorted validation
// errors); then the enforcement-level check Configure makes on every entry. The pieces the
// oracle restates instead of calling (the injection, the ESC refusal, Configure's loop) are the
// ones that live behind a plugin's gRPC connection.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/pulumi/pulumi/pkg/v3/resource/analyzer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"google.golang.org/protobuf/types/known/structpb"
)

type policy struct {
	Name             string `json:"name"`
	EnforcementLevel string `json:"enforcementLevel"`
	ConfigSchema     *struct {
		Properties map[string]any `json:"properties"`
		Required   []string       `json:"required"`
	} `json:"configSchema,omitempty"`
}

type verdict struct {
	Ok bool `json:"ok"`
	// Errors: the validation errors the CLI prints one per line, or its single error.
	Errors []string `json:"errors,omitempty"`
}

type testCase struct {
	Name     string          `json:"name"`
	Policies []policy        `json:"policies"`
	File     json.RawMessage `json:"file"`
	CLI      *verdict        `json:"cli,omitempty"`
}

type fixture struct {
	Source string     `json:"source"`
	Cases  []testCase `json:"cases"`
}

// analyzerInfo is what GetAnalyzerInfo returns for policies served by @pulumi/policy
// (SupportsConfig is always true there).
func analyzerInfo(policies []policy) ([]plugin.AnalyzerPolicyInfo, error) {
	infos := []plugin.AnalyzerPolicyInfo{}
	for _, p := range policies {
		schema := &plugin.AnalyzerPolicyConfigSchema{Properties: map[string]plugin.JSONSchema{}}
		if p.ConfigSchema != nil {
			wire, err := structpb.NewStruct(p.ConfigSchema.Properties)
			if err != nil {
				return nil, err
			}
			for k, v := range wire.AsMap() {
				schema.Properties[k] = plugin.JSONSchema(v.(map[string]any))
			}
			schema.Required = p.ConfigSchema.Required
		}
		schema.Properties["enforcementLevel"] = plugin.JSONSchema{
			"type": "string",
			"enum": []string{"advisory", "mandatory", "remediate", "disabled"},
		}
		infos = append(infos, plugin.AnalyzerPolicyInfo{
			Name: p.Name, EnforcementLevel: apitype.EnforcementLevel(p.EnforcementLevel), ConfigSchema: schema,
		})
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })
	return infos, nil
}

func run(c testCase, dir string) verdict {
	file := filepath.Join(dir, "config.json")
	if err := os.WriteFile(file, c.File, 0o600); err != nil {
		panic(err)
	}
	config, environments, err := analyzer.LoadPolicyPackConfigAndEnvironmentsFromFile(file)
	if err != nil {
		return verdict{Errors: []string{err.Error()}}
	}
	if len(environments) > 0 {
		return verdict{Errors: []string{`policy pack at "policy" specifies ESC environments but the current backend does not support them`}}
	}
	infos, err := analyzerInfo(c.Policies)
	if err != nil {
		panic(err)
	}
	reconciled, validationErrors, err := analyzer.ReconcilePolicyPackConfig(infos, nil, config)
	if err != nil {
		return verdict{Errors: []string{err.Error()}}
	}
	if len(validationErrors) > 0 {
		sort.Strings(validationErrors)
		return verdict{Errors: validationErrors}
	}
	names := []string{}
	for name := range reconciled {
		names = append(names, name)
	}
	sort.Strings(names) // Configure ranges over a map; sorted here so the verdict is stable
	for _, name := range names {
		if level := reconciled[name].EnforcementLevel; !level.IsValid() {
			return verdict{Errors: []string{fmt.Sprintf("invalid enforcement level %q", level)}}
		}
	}
	return verdict{Ok: true}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run . <tests/fixtures/policy-config-cli.json>")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var f fixture
	if err := json.Unmarshal(raw, &f); err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "policy-config-oracle")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	for i := range f.Cases {
		v := run(f.Cases[i], dir)
		f.Cases[i].CLI = &v
	}
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(os.Args[1], append(out, '\n'), 0o644); err != nil {
		panic(err)
	}
}
